/// Input of `nd_websocket_on_text_message` (described in ABI/capabilities/websocket_callback.json;
/// written by hand so that frequent gateway frames decode without a JSON tree).
public struct OnTextMessageRequest: JSONDecodable, JSONEncodable {
    public var connectionId: String
    /// The message as UTF-8 bytes, for messages parsed further (e.g. JSON frames): no `String`
    /// is made or validated again.
    public var messageUTF8: [UInt8]

    /// The message as text (made from ``messageUTF8`` on each access).
    public var message: String {
        get { String(decoding: messageUTF8, as: UTF8.self) }
        set { messageUTF8 = Array(newValue.utf8) }
    }

    public init(connectionId: String = "", message: String = "") {
        self.connectionId = connectionId
        self.messageUTF8 = Array(message.utf8)
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

    public func encode(to json: inout JSONObjectWriter) {
        json.set("connectionId", connectionId)
        json.set("message", message)
    }
}
