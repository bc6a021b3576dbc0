/// Byte-level text helpers. Embedded Swift's Unicode-aware `String` operations (`==` on
/// non-ASCII text, `hasPrefix`, `lowercased()`) would link ~90 KB of Unicode tables, so the
/// plugin compares and rewrites UTF-8 bytes instead.
enum TextBytes {
    /// True when `a` and `b` are equal ignoring ASCII letter case (other bytes must match).
    static func equalIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8) { x, y in lower(x) == lower(y) }
    }

    /// `text` without `prefix` (ASCII letter case ignored), or nil when it does not start with it.
    static func dropPrefix(_ prefix: String, from text: String) -> String? {
        var rest = text.utf8[...]
        for p in prefix.utf8 {
            guard let b = rest.first, lower(b) == lower(p) else { return nil }
            rest = rest.dropFirst()
        }
        return String(decoding: rest, as: UTF8.self)
    }

    /// The part of `text` after its last `/` (all of it when there is none).
    static func lastPathComponent(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return text }
        return String(decoding: bytes[(slash + 1)...], as: UTF8.self)
    }

    /// `url` without trailing `/` characters.
    static func trimTrailingSlashes(_ url: String) -> String {
        var bytes = Array(url.utf8)
        while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }


    /// `text` with `%XX` sequences decoded (malformed ones are kept as they are).
    static func percentDecoded(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` as a quoted Lucene phrase for MusicBrainz's search (`"` and `\` escaped).
    static func lucenePhrase(_ text: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in text.utf8 {
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` with spaces replaced by underscores (the canonical form of a Wikipedia title).
    static func underscored(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 == UInt8(ascii: " ") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    private static func lower(_ b: UInt8) -> UInt8 {
        b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
