/// Byte-wise text helpers (Embedded Swift: no Unicode-aware `String` operations).
enum Text {
    /// Index of the first occurrence of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        var start = from
        while start <= haystack.count - needle.count {
            var offset = 0
            while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
            if offset == needle.count { return start }
            start += 1
        }
        return nil
    }

    /// Whether `text` contains `part`, ignoring ASCII case.
    static func containsIgnoringCase(_ text: String, _ part: String) -> Bool {
        find(lowered(part), in: lowered(text)) != nil
    }

    /// Whether `a` and `b` are equal ignoring ASCII case.
    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        lowered(a) == lowered(b)
    }

    /// Every occurrence of `target` in `text` replaced by `replacement`.
    static func replacing(_ target: String, with replacement: String, in text: String) -> String {
        let needle = Array(target.utf8)
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var position = 0
        while let match = find(needle, in: bytes, from: position) {
            out += bytes[position..<match]
            out += Array(replacement.utf8)
            position = match + needle.count
        }
        guard position > 0 else { return text }
        out += bytes[position...]
        return String(decoding: out, as: UTF8.self)
    }

    private static func lowered(_ text: String) -> [UInt8] {
        text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
    }
}
