/// Input of `nd_websocket_on_text_message`.
public struct OnTextMessageRequest: JSONDecodable {
    public var connectionId: String
    public var message: String

    public init(json: JSONObjectReader) throws(JSONError) {
        connectionId = try json.string("connectionId")
        message = try json.string("message")
    }
}

/// Input of `nd_websocket_on_binary_message` (`data` arrives base64-encoded).
public struct OnBinaryMessageRequest: JSONDecodable {
    public var connectionId: String
    public var data: [UInt8]

    public init(json: JSONObjectReader) throws(JSONError) {
        connectionId = try json.string("connectionId")
        data = try json.bytes("data")
    }
}

/// Input of `nd_websocket_on_error` (also sent for abnormal close codes such as 4004).
public struct OnErrorRequest: JSONDecodable {
    public var connectionId: String
    public var error: String

    public init(json: JSONObjectReader) throws(JSONError) {
        connectionId = try json.string("connectionId")
        error = try json.string("error")
    }
}

/// Input of `nd_websocket_on_close` (normal closes 1000/1001/1005 and plugin-initiated ones).
public struct OnCloseRequest: JSONDecodable {
    public var connectionId: String
    public var code: Int32
    public var reason: String

    public init(json: JSONObjectReader) throws(JSONError) {
        connectionId = try json.string("connectionId")
        code = try json.int32("code")
        reason = try json.string("reason")
    }
}
