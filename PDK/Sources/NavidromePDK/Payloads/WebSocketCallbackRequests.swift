/// Input of `nd_websocket_on_text_message`.
public struct OnTextMessageRequest: JSONDecodable {
    public var connectionId: String
    /// The message as UTF-8 bytes, for messages parsed further (e.g. JSON frames): no `String`
    /// is made or validated again.
    public var messageUTF8: [UInt8]

    /// The message as text (made from ``messageUTF8`` on each access).
    public var message: String {
        get { String(decoding: messageUTF8, as: UTF8.self) }
        set { messageUTF8 = Array(newValue.utf8) }
    }

    public init(json: JSONObjectReader) throws(JSONError) {
        connectionId = try json.string("connectionId")
        messageUTF8 = Array(try json.string("message").utf8)
    }

    /// Reads the request straight from JSON bytes (the call input) without building a tree:
    /// the message is decoded once, to bytes. Same results as ``init(json:)``; errors on bad
    /// input may be worded differently.
    public init(jsonBytes bytes: [UInt8]) throws(JSONError) {
        let object = try JSONLazyObject(bytes: bytes)
        connectionId = try object.string("connectionId") ?? ""
        messageUTF8 = try object.stringBytes("message") ?? []
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
