import TonearmJSON

/// A payload of Navidrome's plugin ABI (generated from `ABI/`): decoded the way Go's
/// encoding/json fills the struct, written the way Go marshals it.
package protocol NavidromePayload: Sendable {
    /// Reads the payload; missing fields are Go's zero values, wrong types and out-of-range
    /// numbers are errors naming the field.
    init(json: JSONRequest) throws(JSONRequestError)
    /// The payload as Go writes it (member order, `omitempty`, number formats).
    var jsonValue: JSONValue { get }
}

extension NavidromePayload {
    /// Decodes JSON bytes (empty or `null` is the zero payload).
    package init(jsonBytes: [UInt8]) throws(JSONRequestError) {
        try self.init(json: JSONRequest(jsonBytes))
    }

    /// The payload as Go's `json.Marshal` writes it.
    package func goJSONBytes() -> [UInt8] { jsonValue.goJSONBytes() }
}

/// The request or response of one host function.
package protocol HostFunctionPayload: NavidromePayload {
    /// The host function's name (module `extism:host/user`).
    static var function: String { get }
}
