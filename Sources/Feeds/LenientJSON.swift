import Foundation

/// Reads values out of `JSONSerialization` objects without caring whether a server sent a
/// number as a string or an integer as a float: Subsonic servers differ (Supysonic's
/// `minutesAgo` is a float, some servers send ids as numbers, tag values as strings).
enum LenientJSON {
    static func object(_ data: Data) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        guard let object = value as? [String: Any] else {
            throw LenientJSONError.notAnObject
        }
        return object
    }

    static func string(_ value: Any?) -> String? {
        switch value {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }

    /// A non-empty string, or nil.
    static func text(_ value: Any?) -> String? {
        guard let s = string(value)?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        return s
    }

    static func double(_ value: Any?) -> Double? {
        switch value {
        case let n as NSNumber: return n.doubleValue.isFinite ? n.doubleValue : nil
        case let s as String: return Double(s.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    /// An integer within `range`, fractions cut toward zero; a string like "3/12" (track 3 of
    /// 12) gives its leading number. Nil for anything else, and for numbers outside `range`
    /// (huge, infinite or NaN included): these fields are optional, so a value that cannot be
    /// right is treated as absent rather than refused.
    static func int(_ value: Any?, in range: ClosedRange<Int> = Int.min...Int.max) -> Int? {
        let number: Int?
        if let d = double(value) {
            number = Int(exactly: d.rounded(.towardZero))
        } else if let s = value as? String {
            let digits = s.trimmingCharacters(in: .whitespaces).prefix { ("0"..."9").contains($0) }
            number = Int(digits)
        } else {
            number = nil
        }
        return number.flatMap { range.contains($0) ? $0 : nil }
    }

    /// A finite number within `range`, else nil (see `int(_:in:)`).
    static func double(_ value: Any?, in range: ClosedRange<Double>) -> Double? {
        double(value).flatMap { range.contains($0) ? $0 : nil }
    }

    static func array(_ value: Any?) -> [Any] {
        switch value {
        case let a as [Any]: return a
        case nil, is NSNull: return []
        default: return [value!]
        }
    }
}

enum LenientJSONError: Error {
    case notAnObject
}
