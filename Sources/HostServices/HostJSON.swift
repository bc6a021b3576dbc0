import Foundation
import PluginRuntime
import TonearmJSON

/// A failure a host function reports to the plugin as `{"error":"…"}`.
public struct HostServiceError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A JSON value as Go's `encoding/json` writes it.
enum JSONValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// `[]byte`: standard padded base64.
    case bytes([UInt8])
    case array([JSONValue])
    /// Fields in declaration order, as Go writes struct fields.
    case object([(String, JSONValue)])
    /// A Go map: keys written sorted.
    case map([String: JSONValue])

    /// What `omitempty` leaves out: false, 0, "", empty slices and maps.
    var isEmpty: Bool {
        switch self {
        case .string(let s): s.isEmpty
        case .int(let i): i == 0
        case .double(let d): d == 0
        case .bool(let b): !b
        case .bytes(let b): b.isEmpty
        case .array(let a): a.isEmpty
        case .object: false
        case .map(let m): m.isEmpty
        }
    }

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.encoded() == rhs.encoded() }

    /// Encodes as Go's `json.Marshal` does (HTML-safe escaping, shortest floats).
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(to: &out)
        return out
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .string(let s): GoJSONWriter.writeString(s, to: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): GoJSONWriter.writeNumber(d, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .bytes(let b): GoJSONWriter.writeString(Data(b).base64EncodedString(), to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            Self.writeFields(fields, to: &out)
        case .map(let dict):
            Self.writeFields(dict.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: &out)
        }
    }

    private static func writeFields(_ fields: [(String, JSONValue)], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            GoJSONWriter.writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            value.write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// A response object built field by field; `omitempty` fields are left out when empty.
struct JSONResponse: Sendable {
    private(set) var fields: [(String, JSONValue)] = []

    init() {}

    /// Adds a field; with `omitEmpty` (Go's `omitempty`), an empty value is left out.
    mutating func set(_ key: String, _ value: JSONValue?, omitEmpty: Bool = true) {
        guard let value else { return }
        if omitEmpty && value.isEmpty { return }
        fields.append((key, value))
    }

    var value: JSONValue { .object(fields) }

    static func error(_ message: String) -> [UInt8] {
        JSONValue.object([("error", .string(message))]).encoded()
    }
}

/// A JSON boolean, kept apart from numbers (Foundation decodes both as NSNumber).
private struct JSONBool: Sendable {
    let value: Bool
}

/// A decoded JSON request; missing fields and `null` read as Go's zero values.
struct JSONRequest: Sendable {
    private let object: [String: any Sendable]

    init(_ bytes: [UInt8]) throws {
        if bytes.isEmpty {
            object = [:]
            return
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw HostServiceError("invalid JSON request: \(Self.describe(error))")
        }
        if parsed is NSNull {
            object = [:]
        } else if let dict = parsed as? [String: Any] {
            object = dict.compactMapValues { Self.sendable($0) }
        } else {
            throw HostServiceError("invalid JSON request: expected an object")
        }
    }

    private init(object: [String: any Sendable]) { self.object = object }

    private static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }

    private static func sendable(_ value: Any) -> (any Sendable)? {
        switch value {
        case is NSNull: return nil
        case let s as String: return s
        case let n as NSNumber:
            // JSON true/false arrive as NSNumbers of type "c" (char); numbers as q or d.
            if String(cString: n.objCType) == "c" { return JSONBool(value: n.boolValue) }
            return n
        case let a as [Any]: return a.compactMap { sendable($0) }
        case let d as [String: Any]: return d.compactMapValues { sendable($0) }
        default: return nil
        }
    }

    private func raw(_ key: String) -> (any Sendable)? { object[key] }

    func string(_ key: String) throws -> String {
        guard let v = raw(key) else { return "" }
        guard let s = v as? String else { throw HostServiceError("field \"\(key)\" must be a string") }
        return s
    }

    func int64(_ key: String) throws -> Int64 {
        guard let v = raw(key) else { return 0 }
        guard let n = v as? NSNumber else { throw HostServiceError("field \"\(key)\" must be a number") }
        // Go accepts only integers for int fields. Foundation keeps integers above Int64.max as
        // UInt64 ("Q"), whose int64Value would wrap, and larger ones as doubles.
        switch String(cString: n.objCType) {
        case "Q":
            guard let value = Int64(exactly: n.uint64Value) else { throw Self.outOfRange(key) }
            return value
        case "d", "f":
            let d = n.doubleValue
            guard d.isFinite, d == d.rounded() else { throw HostServiceError("field \"\(key)\" must be an integer") }
            guard let value = Int64(exactly: d) else { throw Self.outOfRange(key) }
            return value
        default:
            return n.int64Value
        }
    }

    private static func outOfRange(_ key: String) -> HostServiceError {
        HostServiceError("field \"\(key)\" is out of range (\(Int64.min)…\(Int64.max))")
    }

    /// An integer field that must lie in `range`; the error names the field and the range.
    func int64(_ key: String, in range: ClosedRange<Int64>) throws -> Int64 {
        let value = try int64(key)
        guard range.contains(value) else {
            throw HostServiceError("field \"\(key)\" is out of range (\(range.lowerBound)…\(range.upperBound)): \(value)")
        }
        return value
    }

    func int32(_ key: String) throws -> Int32 {
        let v = try int64(key)
        guard let i = Int32(exactly: v) else {
            throw HostServiceError("field \"\(key)\" is out of range (\(Int32.min)…\(Int32.max)): \(v)")
        }
        return i
    }

    func double(_ key: String) throws -> Double {
        guard let v = raw(key) else { return 0 }
        guard let n = v as? NSNumber else { throw HostServiceError("field \"\(key)\" must be a number") }
        // JSON has no NaN or infinity, and Foundation rejects numbers beyond Double's range.
        guard n.doubleValue.isFinite else { throw HostServiceError("field \"\(key)\" must be a finite number") }
        return n.doubleValue
    }

    func bool(_ key: String) throws -> Bool {
        guard let v = raw(key) else { return false }
        guard let b = v as? JSONBool else { throw HostServiceError("field \"\(key)\" must be a boolean") }
        return b.value
    }

    /// A `[]byte` field: standard base64 (padding optional, as Go's decoder requires it but
    /// PDKs always send it).
    func bytes(_ key: String) throws -> [UInt8] {
        let text = try string(key)
        if text.isEmpty { return [] }
        var padded = text
        let remainder = padded.utf8.count % 4
        if remainder != 0 { padded += String(repeating: "=", count: 4 - remainder) }
        guard let data = Data(base64Encoded: padded) else {
            throw HostServiceError("field \"\(key)\" is not valid base64")
        }
        return Array(data)
    }

    func strings(_ key: String) throws -> [String] {
        guard let v = raw(key) else { return [] }
        guard let a = v as? [any Sendable] else { throw HostServiceError("field \"\(key)\" must be an array of strings") }
        return try a.map {
            guard let s = $0 as? String else { throw HostServiceError("field \"\(key)\" must be an array of strings") }
            return s
        }
    }

    func stringMap(_ key: String) throws -> [String: String] {
        guard let v = raw(key) else { return [:] }
        guard let d = v as? [String: any Sendable] else { throw HostServiceError("field \"\(key)\" must be an object of strings") }
        return try d.mapValues {
            guard let s = $0 as? String else { throw HostServiceError("field \"\(key)\" must be an object of strings") }
            return s
        }
    }

    func object(_ key: String) throws -> JSONRequest {
        guard let v = raw(key) else { return JSONRequest(object: [:]) }
        guard let d = v as? [String: any Sendable] else { throw HostServiceError("field \"\(key)\" must be an object") }
        return JSONRequest(object: d)
    }
}

/// Wraps a request handler as a ``HostFunction``: decoding failures and thrown errors become
/// `{"error":"…"}` responses; nothing traps.
func hostFunction(_ handler: @escaping @Sendable (JSONRequest) throws -> JSONResponse) -> HostFunction {
    { bytes in
        do {
            let request = try JSONRequest(bytes)
            return try handler(request).value.encoded()
        } catch let error as HostServiceError {
            return JSONResponse.error(error.message)
        } catch {
            return JSONResponse.error(String(describing: error))
        }
    }
}

/// A random 22-character base62 id, as Navidrome generates for connections and schedules.
func randomBase62ID() -> String {
    let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    var generator = SystemRandomNumberGenerator()
    return String((0..<22).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
}
