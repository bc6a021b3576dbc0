import Foundation
import TonearmJSON

/// Reads values out of parsed JSON without caring whether a server sent a number as a string or
/// an integer as a float: Subsonic servers differ (Supysonic's `minutesAgo` is a float, some
/// servers send ids as numbers, tag values as strings).
enum LenientJSON {
    /// Parses a body that must be a JSON object.
    static func object(_ data: Data) throws -> JSONObject {
        guard let object = try JSONValue.parse(Array(data)).objectValue else {
            throw LenientJSONError.notAnObject
        }
        return object
    }

    /// A string, or a number as text (`42`, `1.5`).
    static func string(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): text
        case .integer(let integer): String(integer)
        case .number(let number): GoJSONWriter.number(number)
        default: nil
        }
    }

    /// A non-empty string, or nil.
    static func text(_ value: JSONValue?) -> String? {
        guard let s = string(value)?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        return s
    }

    /// A number, or a string holding one; finite, else nil.
    static func double(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let integer): Double(integer)
        case .number(let number): number.isFinite ? number : nil
        case .string(let text): Double(text.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        default: nil
        }
    }

    /// An integer within `range`, fractions cut toward zero; a string like "3/12" (track 3 of
    /// 12) gives its leading number. Nil for anything else, and for numbers outside `range`
    /// (huge, infinite or NaN included): these fields are optional, so a value that cannot be
    /// right is treated as absent rather than refused.
    static func int(_ value: JSONValue?, in range: ClosedRange<Int> = Int.min...Int.max) -> Int? {
        let number: Int?
        if let d = double(value) {
            number = Int(exactly: d.rounded(.towardZero))
        } else if case .string(let s) = value {
            let digits = s.trimmingCharacters(in: .whitespaces).prefix { ("0"..."9").contains($0) }
            number = Int(digits)
        } else {
            number = nil
        }
        return number.flatMap { range.contains($0) ? $0 : nil }
    }

    /// A finite number within `range`, else nil (see `int(_:in:)`).
    static func double(_ value: JSONValue?, in range: ClosedRange<Double>) -> Double? {
        double(value).flatMap { range.contains($0) ? $0 : nil }
    }

    /// The elements of an array; a single value counts as a one-element array, absent or null
    /// as an empty one.
    static func array(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case .array(let values): values
        case nil, .null: []
        case let value?: [value]
        }
    }
}

enum LenientJSONError: Error {
    case notAnObject
}
