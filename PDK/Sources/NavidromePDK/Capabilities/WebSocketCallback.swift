/// The WebSocketCallback capability: events of connections opened with ``WebSocketService``.
/// Export the ones you implement:
///
/// ```swift
/// @_expose(wasm, "nd_websocket_on_text_message") @_cdecl("nd_websocket_on_text_message")
/// func onText() -> Int32 { MyPlugin.ndWebSocketOnTextMessage() }
/// ```
public protocol WebSocketCallback {
    init()
    func onTextMessage(_ request: OnTextMessageRequest) throws(PluginError)
    func onBinaryMessage(_ request: OnBinaryMessageRequest) throws(PluginError)
    func onError(_ request: OnErrorRequest) throws(PluginError)
    func onClose(_ request: OnCloseRequest) throws(PluginError)
}

extension WebSocketCallback {
    public func onTextMessage(_ request: OnTextMessageRequest) throws(PluginError) { throw .notImplemented }
    public func onBinaryMessage(_ request: OnBinaryMessageRequest) throws(PluginError) { throw .notImplemented }
    public func onError(_ request: OnErrorRequest) throws(PluginError) { throw .notImplemented }
    public func onClose(_ request: OnCloseRequest) throws(PluginError) { throw .notImplemented }

    /// Body of the `nd_websocket_on_text_message` export. The request is read without a JSON
    /// tree (frames arrive often); bad input is reported by the generic path.
    public static func ndWebSocketOnTextMessage() -> Int32 {
        guard let request = try? OnTextMessageRequest(jsonBytes: Extism.input()) else {
            return ExportCall.run(OnTextMessageRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().onTextMessage(r); return nil }
        }
        return ExportCall.run { () throws(PluginError) -> [UInt8]? in try Self().onTextMessage(request); return nil }
    }

    /// Body of the `nd_websocket_on_binary_message` export.
    public static func ndWebSocketOnBinaryMessage() -> Int32 {
        ExportCall.run(OnBinaryMessageRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().onBinaryMessage(r); return nil }
    }

    /// Body of the `nd_websocket_on_error` export.
    public static func ndWebSocketOnError() -> Int32 {
        ExportCall.run(OnErrorRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().onError(r); return nil }
    }

    /// Body of the `nd_websocket_on_close` export.
    public static func ndWebSocketOnClose() -> Int32 {
        ExportCall.run(OnCloseRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().onClose(r); return nil }
    }
}
