import NavidromePDK

/// Text and URL helpers for Discord's field limits, written over UTF-8 bytes so no Unicode
/// data tables are linked into the plugin.
enum ActivityText {
    /// Discord's limit for `name`, `details`, `state`, `large_text` and `small_text`, counted in
    /// UTF-16 code units (the stricter of the two readings in use).
    static let maxTextUnits = 128
    /// Discord's limit for `details_url`, `state_url`, `large_url` and `small_url`.
    static let maxURLLength = 256

    /// `text` cut to at most `maxTextUnits` UTF-16 units, ending in "…" when it was cut. Cuts
    /// only between characters: never inside a scalar, before a combining mark, variation
    /// selector or emoji modifier, after a zero-width joiner, or inside a flag's pair of
    /// regional indicators (a heuristic without Unicode tables).
    static func truncated(_ text: String, maxUnits: Int = maxTextUnits) -> String {
        // A scalar takes at least as many UTF-8 bytes as UTF-16 units.
        if text.utf8.count <= maxUnits { return text }
        var scalars: [(offset: Int, value: UInt32)] = []
        var units = 0
        withBytes(text) { bytes in
            for (offset, byte) in bytes.enumerated() {
                if byte & 0xC0 == 0x80 {  // continuation byte
                    if !scalars.isEmpty { scalars[scalars.count - 1].value = scalars[scalars.count - 1].value << 6 | UInt32(byte & 0x3F) }
                } else {
                    let lead: UInt32 = byte < 0x80 ? UInt32(byte) : byte < 0xE0 ? UInt32(byte & 0x1F) : byte < 0xF0 ? UInt32(byte & 0x0F) : UInt32(byte & 0x07)
                    scalars.append((offset, lead))
                    units += byte >= 0xF0 ? 2 : 1
                }
            }
        }
        if units <= maxUnits { return text }
        // The longest prefix that leaves room for "…".
        var keep = 0
        units = 0
        while keep < scalars.count {
            let width = scalars[keep].value > 0xFFFF ? 2 : 1
            if units + width > maxUnits - 1 { break }
            units += width
            keep += 1
        }
        let values = scalars.map { $0.value }
        while keep > 0, !isCharacterBoundary(values, at: keep) { keep -= 1 }
        return withBytes(text) { String(decoding: $0[..<scalars[keep].offset], as: UTF8.self) } + "…"
    }

    /// Whether a cut before `scalars[index]` falls between two characters.
    static func isCharacterBoundary(_ scalars: [UInt32], at index: Int) -> Bool {
        guard index > 0, index < scalars.count else { return true }
        let next = scalars[index]
        if scalars[index - 1] == 0x200D || extendsCharacter(next) { return false }
        if isRegionalIndicator(next) {
            var run = 0
            var i = index - 1
            while i >= 0, isRegionalIndicator(scalars[i]) { run += 1; i -= 1 }
            return run % 2 == 0
        }
        return true
    }

    /// Scalars that attach to the one before: combining marks, ZWJ, variation selectors, emoji
    /// skin-tone modifiers and tag characters.
    static func extendsCharacter(_ value: UInt32) -> Bool {
        (0x0300...0x036F).contains(value) || (0x1AB0...0x1AFF).contains(value) || (0x1DC0...0x1DFF).contains(value)
            || (0x20D0...0x20FF).contains(value) || (0xFE00...0xFE0F).contains(value) || (0xFE20...0xFE2F).contains(value)
            || value == 0x200D || (0x1F3FB...0x1F3FF).contains(value) || (0xE0020...0xE007F).contains(value)
            || (0xE0100...0xE01EF).contains(value)
    }

    static func isRegionalIndicator(_ value: UInt32) -> Bool { (0x1F1E6...0x1F1FF).contains(value) }

    /// `url` when it fits Discord's URL limit and is http(s), otherwise `nil` (a cut URL would be
    /// broken, so it is left out).
    static func limitedURL(_ url: String) -> String? {
        guard !url.isEmpty, url.utf8.count <= maxURLLength,
              hasPrefix(url, "https://") || hasPrefix(url, "http://") else { return nil }
        return url
    }

    /// Byte-wise prefix test (no Unicode normalisation).
    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        guard text.utf8.count >= prefix.utf8.count else { return false }
        return withBytes(text) { bytes in
            withBytes(prefix) { start in UnsafeBufferPointer(rebasing: bytes[0..<start.count]).hasSameBytes(as: start) }
        }
    }

    /// The value of the option named `text` (trimmed, ASCII case ignored), or `nil`.
    static func option<Value>(_ text: String, _ options: [(name: String, value: Value)]) -> Value? {
        let folded = asciiLowercased(trimmed(text))
        for option in options where equal(folded, option.name) { return option.value }
        return nil
    }

    /// `text` with every occurrence of `secret` replaced by `[redacted]`: text from outside (a
    /// host's error, a close reason) may quote a secret that must not reach a log line.
    static func redacting(_ secret: String, in text: String) -> String {
        guard !secret.isEmpty, contains(text, secret) else { return text }
        return withBytes(secret) { needle in
            withBytes(text) { bytes in
                var kept: [UInt8] = []
                var index = 0
                while index < bytes.count {
                    if bytes.count - index >= needle.count,
                        UnsafeBufferPointer(rebasing: bytes[index..<index + needle.count]).hasSameBytes(as: needle)
                    {
                        withBytes("[redacted]") { kept.append(contentsOf: $0) }
                        index += needle.count
                    } else {
                        kept.append(bytes[index])
                        index += 1
                    }
                }
                return String(decoding: kept, as: UTF8.self)
            }
        }
    }

    /// Byte-wise substring test.
    static func contains(_ text: String, _ needle: String) -> Bool {
        withBytes(text) { bytes in withBytes(needle) { contains(bytes, $0) } }
    }

    /// Whether `pattern` occurs in `bytes` (an empty pattern always does).
    static func contains<Bytes: RandomAccessCollection<UInt8>, Pattern: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, _ pattern: Pattern
    ) -> Bool where Bytes.Index == Int, Pattern.Index == Int {
        guard let first = pattern.first else { return true }
        guard bytes.count >= pattern.count else { return false }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first {
                var offset = 1
                while offset < pattern.count && bytes[index + offset] == pattern[offset] { offset += 1 }
                if offset == pattern.count { return true }
            }
            index += 1
        }
        return false
    }

    /// A short text that changes with `value`: its length and an FNV-1a-style hash of its bytes
    /// taken eight at a time (little endian; the last zero to seven bytes one at a time), far
    /// fewer interpreted steps than a hash byte by byte. Kept in the cache instead of the checked
    /// `users` list and the delivered presence frame; `RuntimeBenchmarks` computes the same
    /// fingerprint for its fixtures.
    static func fingerprint(_ value: String) -> String {
        var value = value
        let hashed = value.withUTF8 { bytes -> UInt64 in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            let words = bytes.count / 8
            let raw = UnsafeRawBufferPointer(bytes)
            for index in 0..<words {
                hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))) &* 0x100_0000_01b3
            }
            for byte in bytes[(words * 8)...] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return hash
        }
        return "\(value.utf8.count)-\(hashed)"
    }

    /// The decimal number written by the digits at `bytes[index...]`, at most `maxDigits` of
    /// them; `index` moves past the digits read, and `digits` is 0 when there are none.
    static func leadingDecimal<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, at index: inout Int, maxDigits: Int
    ) -> (value: Int, digits: Int) where Bytes.Index == Int {
        var value = 0
        var digits = 0
        while index < bytes.endIndex, bytes[index] >= 0x30, bytes[index] <= 0x39, digits < maxDigits {
            value = value * 10 + Int(bytes[index] - 0x30)
            index += 1
            digits += 1
        }
        return (value, digits)
    }

    /// Byte-wise equality.
    static func equal(_ a: String, _ b: String) -> Bool {
        a.hasSameUTF8(as: b)
    }

    /// `body` run over the UTF-8 bytes of `text` in place. Iterating `text.utf8` instead costs
    /// the interpreter dozens of steps per byte (the generic index machinery).
    static func withBytes<R, E: Error>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(E) -> R in try body(bytes) } }.get()
    }

    /// Whether `text` is ASCII digits only (true when empty).
    static func isDigits(_ text: String) -> Bool {
        withBytes(text) { bytes in !bytes.contains { $0 < 0x30 || $0 > 0x39 } }
    }

    /// An ASCII upper-case letter lowered; any other byte unchanged.
    static func foldASCII(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// Byte-wise equality with ASCII letters folded to lower case (no allocation).
    static func equalIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return withBytes(a) { x in
            withBytes(b) { y in
                for index in 0..<x.count where foldASCII(x[index]) != foldASCII(y[index]) { return false }
                return true
            }
        }
    }

    /// ASCII letters folded to lower case; other bytes unchanged.
    static func asciiLowercased(_ text: String) -> String {
        withBytes(text) { bytes in
            // Most text (keys, names, states) is in lower case already: no copy then.
            guard bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                for index in 0..<bytes.count { out[index] = foldASCII(bytes[index]) }
                return bytes.count
            }
        }
    }

    /// `text` without leading and trailing ASCII whitespace.
    static func trimmed(_ text: String) -> String {
        // Most values have nothing to trim: no copy of a long one (the users list) then.
        withBytes(text) { bytes in
            var lower = 0
            var upper = bytes.count
            while lower < upper, isSpace(bytes[lower]) { lower += 1 }
            while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
            if lower == 0 && upper == bytes.count { return text }
            return String(decoding: bytes[lower..<upper], as: UTF8.self)
        }
    }

    /// Splits on a separator byte, trimming each piece and dropping empty ones.
    static func split(_ text: String, on separator: UInt8) -> [String] {
        withBytes(text) { bytes in
            var pieces: [String] = []
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == separator {
                let piece = trimmed(String(decoding: bytes[start..<index], as: UTF8.self))
                if !piece.isEmpty { pieces.append(piece) }
                start = index + 1
            }
            return pieces
        }
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (for a URL path segment).
    static func percentEncoded(_ text: String) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        withBytes(text) { bytes in for b in bytes {
            let unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
            if unreserved {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            }
        } }
        return String(decoding: out, as: UTF8.self)
    }

    /// 64-bit FNV-1a of the UTF-8 bytes as 16 hex digits, for cache keys.
    static func hashKey(_ text: String) -> String {
        var h: UInt64 = 14_695_981_039_346_656_037
        withBytes(text) { bytes in
            for b in bytes { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        var shift: UInt64 = 60
        for _ in 0..<16 {
            out.append(hex[Int((h >> shift) & 0xF)])
            shift &-= 4
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }
}
