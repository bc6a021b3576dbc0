/// JSON text exactly as Go's `encoding/json` `Marshal` writes it, for the pieces whose form
/// varies between writers: numbers, and strings with their escapes. Navidrome and its plugins
/// are Go (or follow Go's output), so the host writes what they would.
///
/// Numbers: the shortest digits that read back as the same value (float32 values use float32's
/// shortest digits), in plain notation for 1e-6 ≤ |x| < 1e21 (`3`, `0.000001`,
/// `100000000000000000000`), in exponent notation outside it with Go's clean-up of the exponent
/// (`1e+21`, `1e-7`, `5e-324`). NaN and the infinities, which JSON cannot hold and Go's `Marshal`
/// refuses with an error, are written as `null` (so writing never fails; values from outside are
/// checked to be finite where they enter the host).
///
/// Strings: `"` and `\` escaped, `\n` `\r` `\t` `\b` `\f` as short escapes (Go 1.22 and later),
/// other control characters as `\u00XX` (lowercase hex), `<` `>` `&` as `\u003c` `\u003e`
/// `\u0026`, U+2028 and U+2029 as `\u2028` `\u2029`, each byte of invalid UTF-8 as `\ufffd`;
/// DEL and every other character unescaped.
package enum GoJSONWriter {
    /// A float64 as Go writes it.
    package static func number(_ value: Double) -> String { format(value) }

    /// A float32 as Go writes it (a Go `float32` field: float32's shortest digits).
    package static func number(_ value: Float) -> String { format(value) }

    /// Appends a float64 as Go writes it.
    package static func writeNumber(_ value: Double, to out: inout [UInt8]) {
        out.append(contentsOf: format(value).utf8)
    }

    /// Appends an integer (Go's `int`, `int32`, `int64`: plain decimal).
    package static func writeInteger(_ value: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }

    /// Appends a quoted, escaped string.
    package static func writeString(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { writeString(utf8: $0, to: &out) }
    }

    /// Appends UTF-8 bytes as a quoted, escaped string; each byte that is not part of valid
    /// UTF-8 is written as `\ufffd`, as Go does for a string holding invalid UTF-8.
    package static func writeString(utf8 bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        let bytes = Array(bytes)
        out.append(UInt8(ascii: "\""))
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                writeASCII(byte, to: &out)
                index += 1
                continue
            }
            let length = validSequenceLength(bytes, at: index)
            if length == 0 {
                out.append(contentsOf: Array(#"\ufffd"#.utf8))
                index += 1
                continue
            }
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            if length == 3, byte == 0xE2, bytes[index + 1] == 0x80, bytes[index + 2] & 0xFE == 0xA8 {
                out.append(contentsOf: Array((bytes[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8))
            } else {
                out.append(contentsOf: bytes[index..<index + length])
            }
            index += length
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeASCII(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
            out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        default: out.append(byte)
        }
    }

    /// The length of the valid UTF-8 sequence starting at `index` (2…4), or 0 when the byte
    /// there does not start one — the same test as Go's `utf8.DecodeRune` (no overlong forms,
    /// no surrogates, nothing above U+10FFFF).
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let first = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        guard (low...high).contains(bytes[index + 1]) else { return 0 }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return 0 }
        return length
    }

    private static func format<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) -> String {
        guard value.isFinite else { return "null" }
        let sign = value.sign == .minus ? "-" : ""
        let magnitude = value.magnitude
        let (digits, point) = shortestDigits(of: magnitude)
        guard !digits.isEmpty else { return sign + "0" }
        let smallest: T = 1e-6
        let largest: T = 1e21
        if magnitude < smallest || magnitude >= largest {
            // strconv's 'e' format with the shortest digits, then Go's clean-up of "e-07" to
            // "e-7" (Go keeps two exponent digits only for positive exponents: "e+21").
            var text = sign + String(digits.first!)
            if digits.count > 1 { text += "." + digits.dropFirst() }
            let exponent = point - 1
            let exponentDigits = String(exponent.magnitude)
            text += exponent < 0 ? "e-" + exponentDigits : "e+" + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
            return text
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// The shortest decimal digits that identify the finite, non-negative `value` in its own
    /// type (no leading or trailing zeros; empty for zero), and where the decimal point goes:
    /// value = 0.digits × 10^point.
    private static func shortestDigits<T: BinaryFloatingPoint & LosslessStringConvertible>(of value: T) -> (digits: String, point: Int) {
        // Swift's description is the shortest round-tripping form in the value's own type:
        // "123.45", "1e+19", "5e-324", Float(0.1) → "0.1".
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1)
        let integer = String(mantissa[0])
        let fraction = mantissa.count == 2 ? String(mantissa[1]) : ""
        var digits = Substring(integer + fraction)
        var point = integer.count + exponent
        while digits.first == "0" {
            digits = digits.dropFirst()
            point -= 1
        }
        while digits.last == "0" { digits = digits.dropLast() }
        return (String(digits), point)
    }
}

extension JSONValue {
    /// Compact JSON text as Go's `json.Marshal` writes this value: object members in their
    /// order (use ``sortingKeys()`` first for a value that stands for a Go map), numbers and
    /// strings by ``GoJSONWriter``.
    public var goJSON: String { String(decoding: goJSONBytes(), as: UTF8.self) }

    /// ``goJSON`` as UTF-8 bytes.
    public func goJSONBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        writeGoJSON(to: &out)
        return out
    }

    /// Appends ``goJSON`` to `out`.
    public func writeGoJSON(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let value): out.append(contentsOf: Array((value ? "true" : "false").utf8))
        case .integer(let value): GoJSONWriter.writeInteger(value, to: &out)
        case .number(let value): GoJSONWriter.writeNumber(value, to: &out)
        case .string(let value): GoJSONWriter.writeString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.writeGoJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                GoJSONWriter.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.writeGoJSON(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
