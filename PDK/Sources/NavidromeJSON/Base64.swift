/// Standard padded base64 (RFC 4648 §4), as Go's `encoding/json` uses for `[]byte`.
public enum Base64 {
    static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        let table = alphabet.utf8Start
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(table[Int(n >> 18)])
            out.append(table[Int((n >> 12) & 63)])
            out.append(table[Int((n >> 6) & 63)])
            out.append(table[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var n = UInt32(bytes[i]) << 16
            if rest == 2 { n |= UInt32(bytes[i + 1]) << 8 }
            out.append(table[Int(n >> 18)])
            out.append(table[Int((n >> 12) & 63)])
            out.append(rest == 2 ? table[Int((n >> 6) & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) throws(JSONError) -> [UInt8] {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var count = 0
        var padding = 0
        var position = 0
        for c in text.utf8 {
            defer { position += 1 }
            if c == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let v = value(of: c) else {
                throw JSONError(.invalidBase64, at: -1, "invalid base64 at character \(position)")
            }
            buffer = buffer << 6 | UInt32(v)
            count += 1
            if count == 4 {
                out.append(UInt8(buffer >> 16))
                out.append(UInt8((buffer >> 8) & 0xFF))
                out.append(UInt8(buffer & 0xFF))
                buffer = 0
                count = 0
            }
        }
        switch (count, padding) {
        case (0, 0): break
        case (2, 2):
            out.append(UInt8((buffer >> 4) & 0xFF))
        case (3, 1):
            out.append(UInt8((buffer >> 10) & 0xFF))
            out.append(UInt8((buffer >> 2) & 0xFF))
        default:
            throw JSONError(.invalidBase64, at: -1, "invalid base64 length or padding")
        }
        return out
    }

    static func value(of c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
