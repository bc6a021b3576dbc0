import Foundation
import Logging
import NavidromeABI
import PluginRuntime
import TonearmJSON

/// A failure a host function reports to the plugin as `{"error":"…"}`.
public struct HostServiceError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The answer of a failed host function: `{"error":"…"}`.
func errorResponse(_ message: String) -> [UInt8] {
    JSONValue.object(["error": .string(message)]).goJSONBytes()
}

/// One host function of Navidrome's ABI: `Request` decoded from the plugin's JSON (Go's rules,
/// range-checked), `handler`'s `Response` written as Go writes it; decoding failures and thrown
/// errors become `{"error":"…"}` responses; nothing traps. The function's name comes with the
/// request type (`ABI/host/*.json`).
func hostFunction<Request: HostFunctionPayload, Response: HostFunctionPayload>(
    _ request: Request.Type, _ handler: @escaping @Sendable (Request) throws -> Response
) -> (String, HostFunction) {
    (Request.function, { bytes in
        do {
            return try handler(try Request(jsonBytes: bytes)).goJSONBytes()
        } catch let error as HostServiceError {
            return errorResponse(error.message)
        } catch let error as JSONRequestError {
            return errorResponse(error.message)
        } catch {
            return errorResponse(String(describing: error))
        }
    })
}

/// A service's host functions by name.
func hostFunctions(_ functions: (String, HostFunction)...) -> [String: HostFunction] {
    Dictionary(uniqueKeysWithValues: functions)
}

/// Opens a plugin's store for its host functions. When it cannot be opened the plugin still
/// loads: the reason is logged once, and every call of the returned function fails naming it
/// (`"<service> unavailable: <reason>"`).
func storeForCalls<Store: Sendable>(
    _ service: String, of plugin: PluginContext, open: () throws -> Store
) -> @Sendable () throws -> Store {
    do {
        let store = try open()
        return { store }
    } catch {
        let failure = "\(service) unavailable: \(error)"
        plugin.logger.error("\(failure)")
        return { throw HostServiceError(failure) }
    }
}

/// A random 22-character base62 id, as Navidrome generates for connections and schedules.
func randomBase62ID() -> String {
    let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    var generator = SystemRandomNumberGenerator()
    return String((0..<22).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
}
