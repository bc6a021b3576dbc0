/// Builds a URL query string (`name=value&…`), percent-encoding every value.
struct QueryString {
    private(set) var text = ""

    /// Appends `name=value`, with `value` percent-encoded (names are plain ASCII literals).
    mutating func add(_ name: String, _ value: String) {
        if !text.utf8.isEmpty { text += "&" }
        text += name + "=" + QueryString.percentEncoded(value)
    }

    /// `value` with every byte outside the unreserved set (`A–Z a–z 0–9 - . _ ~`, RFC 3986)
    /// written as `%XX` over its UTF-8 encoding; a space becomes `%20`.
    static func percentEncoded(_ value: String) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
