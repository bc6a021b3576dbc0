/// Byte sizes written as go-humanize parses them: `"1MB"` = 1,000,000 (SI), `"1MiB"` =
/// 1,048,576 (IEC), a bare number is bytes; units are case-insensitive and may follow a space.
enum ByteSize {
    static func parse(_ text: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == "." || $0 == ",")) } ?? trimmed.endIndex
        let numberText = trimmed[..<numberEnd].replacingOccurrences(of: ",", with: "")
        let unit = trimmed[numberEnd...].trimmingCharacters(in: .whitespaces).lowercased()
        guard let number = Double(numberText), number >= 0 else {
            throw HostServiceError("invalid size \"\(text)\": expected a number with an optional unit such as 1MB or 1MiB")
        }
        let multipliers: [String: Double] = [
            "": 1, "b": 1,
            "k": 1e3, "kb": 1e3, "ki": 1024, "kib": 1024,
            "m": 1e6, "mb": 1e6, "mi": 1_048_576, "mib": 1_048_576,
            "g": 1e9, "gb": 1e9, "gi": 1_073_741_824, "gib": 1_073_741_824,
            "t": 1e12, "tb": 1e12, "ti": 1_099_511_627_776, "tib": 1_099_511_627_776,
        ]
        guard let multiplier = multipliers[unit] else {
            throw HostServiceError("invalid size \"\(text)\": unknown unit \"\(unit)\"")
        }
        let bytes = number * multiplier
        guard bytes < 9e18 else { throw HostServiceError("invalid size \"\(text)\": too large") }
        return Int64(bytes)
    }
}

import Foundation
