/// JSON strings in two steps: a checking scan that finds the closing quote (escapes, UTF-8,
/// control characters), taking plain ASCII eight bytes at a time, and, only for strings with
/// escapes, a decoding pass over the content the scan has already checked.
extension JSONParser {
    /// Parses a string starting at the opening quote.
    mutating func parseString() throws(JSONError) -> String {
        let (content, escaped) = try skipString()
        return bytes.withUnsafeBufferPointer { p in
            guard escaped else { return Self.string(UnsafeBufferPointer(rebasing: p[content])) }
            return Self.decodeChecked(p, content).withUnsafeBufferPointer { Self.string($0) }
        }
    }

    /// The UTF-8 bytes of the string starting at the opening quote, escapes decoded.
    mutating func parseStringBytes() throws(JSONError) -> [UInt8] {
        let (content, _) = try skipString()
        return bytes.withUnsafeBufferPointer { Self.decodeChecked($0, content) }
    }

    /// Text from UTF-8 already checked by the parser (the one place strings are made).
    @inline(never)
    static func string(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: utf8, as: UTF8.self)
    }

    /// Checks the string starting at the opening quote and moves past it; returns the range of
    /// its raw content and whether that has escapes.
    @discardableResult
    @inline(never)
    mutating func skipString() throws(JSONError) -> (content: Range<Int>, escaped: Bool) {
        let open = index
        let end = self.end
        var escaped = false
        if let close = bytes.withUnsafeBufferPointer({ Self.closingQuote($0, open: open, end: end, escaped: &escaped) }) {
            index = close + 1
            return ((open + 1)..<close, escaped)
        }
        // Not a valid string: find the problem.
        var i = open + 1
        while true {
            i = bytes.withUnsafeBufferPointer { Self.simpleRunEnd($0, from: i, to: end, escaped: &escaped) }
            guard i < end else { throw JSONError.at(.unexpectedEnd, open, "unterminated string") }
            let b = bytes[i]
            index = i
            if b == UInt8(ascii: "\"") {
                index = i + 1
                return ((open + 1)..<i, escaped)
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                _ = try readEscape()
                i = index
                continue
            }
            if b < 0x20 {
                throw JSONError.at(.unexpectedByte, i, "unescaped control character in string", found: b)
            }
            i += try validateUTF8Sequence()
        }
    }

    /// The index of the closing quote of the valid string opening at `p[open]`, or nil when the
    /// string is not valid. Sets `escaped` when the string has escapes.
    static func closingQuote(_ p: UnsafeBufferPointer<UInt8>, open: Int, end: Int, escaped: inout Bool) -> Int? {
        var i = open + 1
        while true {
            i = simpleRunEnd(p, from: i, to: end, escaped: &escaped)
            guard i < end else { return nil }
            let b = p[i]
            if b == UInt8(ascii: "\"") { return i }
            if b == UInt8(ascii: "\\") {
                guard let next = unicodeEscapeEnd(p, at: i, end: end) else { return nil }
                escaped = true
                i = next
            } else {
                guard let length = utf8SequenceLength(p, at: i, end: end) else { return nil }
                i += length
            }
        }
    }

    /// The index after the valid `\u` escape (a surrogate pair as one) at `p[i]`, or nil.
    static func unicodeEscapeEnd(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
        guard let high = hex4(p, at: i, end: end) else { return nil }
        if high >= 0xDC00 && high <= 0xDFFF { return nil }
        guard high >= 0xD800 && high <= 0xDBFF else { return i + 6 }
        guard let low = hex4(p, at: i + 6, end: end), low >= 0xDC00 && low <= 0xDFFF else { return nil }
        return i + 12
    }

    /// The value of the `\uXXXX` escape at `p[i]`, or nil when it is not one.
    static func hex4(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> UInt32? {
        guard i + 6 <= end, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else { return nil }
        var v: UInt32 = 0
        for k in 2..<6 {
            let b = p[i + k]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// The length of the valid multi-byte UTF-8 sequence at `p[i]` (no overlong forms,
    /// surrogates or code points above U+10FFFF), or nil.
    static func utf8SequenceLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
        var need: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch p[i] {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; upper = 0x9F
        case 0xF0: need = 3; lower = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; upper = 0x8F
        default: return nil
        }
        guard end - i > need, p[i + 1] >= lower && p[i + 1] <= upper else { return nil }
        var k = 2
        while k <= need {
            guard p[i + k] & 0xC0 == 0x80 else { return nil }
            k += 1
        }
        return need + 1
    }

    /// The first index in `p[start..<end]` that needs the checking slow path (a quote, a `\u`
    /// or invalid escape, a control character, a lead byte of anything but a well-formed 2-byte
    /// or unrestricted 3-byte UTF-8 sequence), or `end`. Sets `escaped` when it passes an escape.
    static func simpleRunEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, escaped: inout Bool) -> Int {
        var i = start
        while true {
            i = plainRunEnd(p, from: i, to: end)
            guard i < end else { return end }
            let b = p[i]
            if b == UInt8(ascii: "\\") {
                guard i + 1 < end else { return i }
                switch p[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    escaped = true
                    i += 2
                default:
                    return i
                }
            } else if b >= 0xC2 && b <= 0xDF {
                guard i + 1 < end, p[i + 1] & 0xC0 == 0x80 else { return i }
                i += 2
            } else if b >= 0xE1 && b <= 0xEF && b != 0xED {  // E0 and ED restrict the second byte
                guard i + 2 < end, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80 else { return i }
                i += 3
            } else {
                return i
            }
        }
    }

    /// The index of the first byte in `p[start..<end]` that ends a run of plain string content
    /// (a quote, a backslash, a control character or a non-ASCII byte), or `end`.
    static func plainRunEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard let base = p.baseAddress, end <= p.count else { return end }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        var i = start
        while i + 8 <= end {
            // Little-endian word: a borrow only runs upward from a byte that matched, so the
            // lowest flagged byte is the first special one.
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = (w ^ (ones &* 0x22)) &- ones
            let backslash = (w ^ (ones &* 0x5C)) &- ones
            let control = w &- (ones &* 0x20)
            let flags = (((quote | backslash | control) & ~w) | w) & (ones &* 0x80)
            if flags != 0 { return i + flags.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end {
            let b = p[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { return i }
            i += 1
        }
        return end
    }

    /// The content `p[range]` of a string ``skipString()`` has checked, escapes decoded.
    static func decodeChecked(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: range.count) { out, count in
            count = 0
            guard let src = p.baseAddress, let dst = out.baseAddress, range.upperBound <= p.count else { return }
            let words = UnsafeRawPointer(src)
            let wordsOut = UnsafeMutableRawPointer(dst)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let end = range.upperBound
            var i = range.lowerBound
            var n = 0
            while i < end {
                if i + 8 <= end {
                    // Escapes only shrink the text (n ≤ i - lowerBound), so a whole word fits.
                    let w = words.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    wordsOut.storeBytes(of: w, toByteOffset: n, as: UInt64.self)
                    let x = w ^ (ones &* 0x5C)
                    let backslashes = (x &- ones) & ~x & (ones &* 0x80)
                    if backslashes == 0 {
                        i += 8
                        n += 8
                        continue
                    }
                    let k = backslashes.trailingZeroBitCount >> 3
                    i += k
                    n += k
                } else if src[i] != UInt8(ascii: "\\") {
                    dst[n] = src[i]
                    i += 1
                    n += 1
                    continue
                }
                let c = src[i + 1]
                i += 2
                switch c {
                case UInt8(ascii: "b"): dst[n] = 0x08
                case UInt8(ascii: "f"): dst[n] = 0x0C
                case UInt8(ascii: "n"): dst[n] = 0x0A
                case UInt8(ascii: "r"): dst[n] = 0x0D
                case UInt8(ascii: "t"): dst[n] = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hexValue(src + i)
                    i += 4
                    if scalar >= 0xD800 && scalar < 0xDC00 {  // checked: a low surrogate follows
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hexValue(src + i + 2) - 0xDC00)
                        i += 6
                    }
                    n += storeUTF8(scalar, at: dst + n)
                    continue
                default: dst[n] = c  // \" \\ \/
                }
                n += 1
            }
            count = n
        }
    }

    /// The value of four checked hex digits.
    static func hexValue(_ p: UnsafePointer<UInt8>) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            let b = UInt32(p[k])
            v = v << 4 | ((b & 0xF) + (b >> 6) * 9)  // '0'-'9', 'A'-'F', 'a'-'f'
        }
        return v
    }

    /// Writes the UTF-8 encoding of `scalar` at `p`; returns its length.
    static func storeUTF8(_ scalar: UInt32, at p: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            p[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            p[0] = UInt8(0xC0 | (scalar >> 6))
            p[1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            p[0] = UInt8(0xE0 | (scalar >> 12))
            p[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            p[2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            p[0] = UInt8(0xF0 | (scalar >> 18))
            p[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            p[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            p[3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }

    /// Checks the multi-byte UTF-8 sequence at `index` and returns its length; `index` is not moved.
    func validateUTF8Sequence() throws(JSONError) -> Int {
        let i = index
        let end = self.end
        if let length = bytes.withUnsafeBufferPointer({ Self.utf8SequenceLength($0, at: i, end: end) }) { return length }
        let b0 = bytes[i]
        guard b0 >= 0xC2 && b0 <= 0xF4 else { throw JSONError.at(.invalidUnicode, i, "invalid UTF-8 lead byte", found: b0) }
        let need = b0 < 0xE0 ? 1 : b0 < 0xF0 ? 2 : 3
        guard end - i > need else { throw JSONError.at(.unexpectedEnd, i, "truncated UTF-8 sequence") }
        throw JSONError.at(.invalidUnicode, i, "invalid UTF-8 sequence")
    }

    /// Checks the escape at `index` (a backslash) and moves past it; returns the scalar it
    /// stands for (a surrogate pair as one scalar).
    mutating func readEscape() throws(JSONError) -> UInt32 {
        let start = index
        guard index + 1 < end else { throw JSONError.at(.unexpectedEnd, start, "unterminated escape sequence") }
        let c = bytes[index + 1]
        index += 2
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return UInt32(c)
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"):
            let scalar = try readHex4(escapeAt: start)
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw JSONError.at(.invalidUnicode, start, "lone high surrogate: \\u escape not followed by a low surrogate")
                }
                let lowStart = index
                index += 2
                let low = try readHex4(escapeAt: lowStart)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw JSONError.at(.invalidUnicode, lowStart, "high surrogate followed by a \\u escape that is not a low surrogate")
                }
                return 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw JSONError.at(.invalidUnicode, start, "lone low surrogate in \\u escape")
            }
            return scalar
        default:
            throw JSONError.at(.invalidEscape, start, "invalid escape sequence", found: c)
        }
    }

    mutating func readHex4(escapeAt start: Int) throws(JSONError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard index < end else { throw JSONError.at(.unexpectedEnd, start, "truncated \\u escape") }
            let b = bytes[index]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw JSONError.at(.invalidEscape, start, "invalid hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            index += 1
        }
        return v
    }
}
