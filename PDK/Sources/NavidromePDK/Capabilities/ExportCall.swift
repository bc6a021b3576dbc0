/// The glue of every capability export: decode the JSON input, call the plugin, write the
/// output or the error, and return Navidrome's code (0 ok, 1 error, -2 not implemented).
public enum ExportCall {
    /// Return code Navidrome treats as "not implemented".
    public static let notImplementedCode: Int32 = -2

    /// Runs `body` with the decoded input; a non-nil result becomes the output (JSON text).
    public static func run<Request: JSONDecodable>(
        _ request: Request.Type,
        _ body: (Request) throws(PluginError) -> [UInt8]?
    ) -> Int32 {
        let decoded: Request
        do {
            decoded = try Request.decode(json: Extism.input())
        } catch {
            Extism.setError("invalid input: \(error.message)")
            return 1
        }
        do {
            if let output = try body(decoded) { Extism.setOutput(output) }
            return 0
        } catch {
            if error.notImplemented { return notImplementedCode }
            Extism.setError(error.text)
            return 1
        }
    }

    /// JSON `true` / `false` as output bytes (no serializer needed).
    static func jsonBool(_ value: Bool) -> [UInt8] {
        value ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65]
    }
}
