import NavidromePDK

/// The form of what the plugin keeps in the host cache (sessions, presences, reports, schedule
/// payloads, stored configurations): fields one after another, each its byte count in decimal,
/// a colon and its bytes (`7:session2:42`). Any byte may appear in a field, and reading one back
/// costs no unescaping: far fewer interpreted steps than a JSON object.
enum StoredFields {
    /// `fields` one after another.
    static func text(_ fields: [String]) -> String {
        var bytes: [UInt8] = []
        for field in fields { append(field, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `field` to `bytes`; returns where its own bytes are.
    @discardableResult
    static func append(_ field: String, to bytes: inout [UInt8]) -> Range<Int> {
        ActivityText.withBytes(field) { field in
            var digits: [UInt8] = []
            var count = field.count
            repeat {
                digits.append(UInt8(ascii: "0") + UInt8(count % 10))
                count /= 10
            } while count > 0
            bytes.append(contentsOf: digits.reversed())
            bytes.append(UInt8(ascii: ":"))
            let start = bytes.count
            bytes.append(contentsOf: field)
            return start..<bytes.count
        }
    }

    /// Where the fields of `bytes` are; `nil` when `bytes` are not in this form.
    static func ranges(_ bytes: [UInt8]) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            let (count, digits) = ActivityText.leadingDecimal(bytes, at: &index, maxDigits: 9)
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: ":"), count < bytes.count - index else { return nil }
            index += 1
            ranges.append(index..<(index + count))
            index += count
        }
        return ranges
    }

    /// The `count` fields of `text`; `nil` when it is not in this form or has another number of
    /// fields.
    static func fields(_ text: String, count: Int) -> [String]? {
        let bytes = ActivityText.withBytes(text) { Array($0) }
        guard let ranges = ranges(bytes), ranges.count == count else { return nil }
        return ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// A decimal integer field (an optional `-` and at most 18 digits); `nil` for anything else.
    static func integer(_ text: String) -> Int64? {
        ActivityText.withBytes(text) { bytes -> Int64? in
            var value: Int64 = 0
            var negative = false
            var digits = 0
            for b in bytes {
                if b == UInt8(ascii: "-") && digits == 0 && !negative {
                    negative = true
                    continue
                }
                guard b >= 0x30 && b <= 0x39, digits < 18 else { return nil }
                value = value * 10 + Int64(b - 0x30)
                digits += 1
            }
            guard digits > 0 else { return nil }
            return negative ? -value : value
        }
    }
}
