/// Writes compact JSON. Strings escape `"`, `\` and control characters; other text is written
/// as UTF-8. Doubles use Swift's shortest round-trip form; NaN and infinity (not JSON) are
/// written as `null`.
public enum JSONSerializer {
    public static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: appendASCII("null", to: &out)
        case .bool(let b): appendASCII(b ? "true" : "false", to: &out)
        case .int(let i): writeInt(i, to: &out)
        case .double(let d): writeDouble(d, to: &out)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func appendASCII(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public static func writeInt(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var count = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        let start = out.count
        for _ in 0..<count { out.append(UInt8(ascii: "0")) }
        out.withUnsafeMutableBufferPointer { p in
            var i = start + count - 1
            repeat {
                p[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                i -= 1
            } while magnitude > 0
        }
    }

    public static func writeDouble(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            appendASCII("null", to: &out)
            return
        }
        out.append(contentsOf: value.description.utf8)
    }

    static let hexDigits: StaticString = "0123456789abcdef"

    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s  // withUTF8 gives small strings contiguous storage too (no copy to an array)
        s.withUTF8 { writeEscaped($0, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Copies runs of bytes that need no escaping in one go.
    static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C {
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            switch b {
            case 0x22: out.append(0x5C); out.append(b)
            case 0x5C: out.append(0x5C); out.append(b)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            default:
                appendASCII("\\u00", to: &out)
                out.append(hexDigits.utf8Start[Int(b >> 4)])
                out.append(hexDigits.utf8Start[Int(b & 0xF)])
            }
            i += 1
            runStart = i
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
    }
}
