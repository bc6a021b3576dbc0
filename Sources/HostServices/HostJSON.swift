import Foundation
import PluginRuntime
import TonearmJSON

/// A failure a host function reports to the plugin as `{"error":"…"}`.
public struct HostServiceError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSONValue {
    /// A Go `[]byte` value: standard padded base64.
    static func bytes(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

    /// A Go map: members written sorted by key.
    static func map(_ members: [String: JSONValue]) -> JSONValue { .object(JSONObject(members)) }

    /// What Go's `omitempty` leaves out: false, 0, "", empty slices and maps (an object here
    /// is empty only when it has no members: the structs host services answer always have one).
    var isGoEmpty: Bool {
        switch self {
        case .null: true
        case .bool(let value): !value
        case .integer(let value): value == 0
        case .number(let value): value == 0
        case .string(let value): value.isEmpty
        case .array(let values): values.isEmpty
        case .object(let members): members.isEmpty
        }
    }
}

/// A response object built field by field; `omitempty` fields are left out when empty.
struct JSONResponse: Sendable {
    private(set) var fields = JSONObject()

    init() {}

    /// Adds a field; with `omitEmpty` (Go's `omitempty`), an empty value is left out.
    mutating func set(_ key: String, _ value: JSONValue?, omitEmpty: Bool = true) {
        guard let value else { return }
        if omitEmpty && value.isGoEmpty { return }
        fields[key] = value
    }

    var value: JSONValue { .object(fields) }

    static func error(_ message: String) -> [UInt8] {
        JSONValue.object(["error": .string(message)]).goJSONBytes()
    }
}

/// Wraps a request handler as a ``HostFunction``: decoding failures and thrown errors become
/// `{"error":"…"}` responses; nothing traps.
func hostFunction(_ handler: @escaping @Sendable (JSONRequest) throws -> JSONResponse) -> HostFunction {
    { bytes in
        do {
            let request = try JSONRequest(bytes)
            return try handler(request).value.goJSONBytes()
        } catch let error as HostServiceError {
            return JSONResponse.error(error.message)
        } catch let error as JSONRequestError {
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
