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
        // The generic part is only the decoding and the call; the rest is shared by all exports.
        guard let reader = inputObject() else { return 1 }
        let decoded: Request
        do {
            decoded = try Request(json: reader)
        } catch {
            return failInput(error)
        }
        do {
            return succeed(try body(decoded))
        } catch {
            return fail(error)
        }
    }

    /// Runs `body` on an input the caller has already decoded.
    public static func run(_ body: () throws(PluginError) -> [UInt8]?) -> Int32 {
        do {
            return succeed(try body())
        } catch {
            return fail(error)
        }
    }

    /// The input as a JSON object, or nil after reporting why it is not one.
    @inline(never)
    static func inputObject() -> JSONObjectReader? {
        do {
            let value = try JSONValue.parse(Extism.input())
            guard case .object(let object) = value else {
                _ = failInput(.mismatch("expected a JSON object, found \(value.kindName)"))
                return nil
            }
            return JSONObjectReader(object)
        } catch {
            _ = failInput(error)
            return nil
        }
    }

    @inline(never)
    static func failInput(_ error: JSONError) -> Int32 {
        Extism.setError("invalid input: " + error.message)
        return 1
    }

    @inline(never)
    static func succeed(_ output: [UInt8]?) -> Int32 {
        if let output { Extism.setOutput(output) }
        return 0
    }

    /// The return code for a failed capability call, after setting its error message.
    @inline(never)
    static func fail(_ error: PluginError) -> Int32 {
        if error.notImplemented { return notImplementedCode }
        Extism.setError(error.text)
        return 1
    }

    /// A JSON string as output bytes.
    public static func jsonString(_ value: String) -> [UInt8] {
        JSONValue.string(value).serialized()
    }

    /// A JSON array of objects as output bytes.
    public static func jsonArray<T: JSONEncodable>(_ values: [T]) -> [UInt8] {
        JSONValue.array(values.map { $0.jsonValue }).serialized()
    }

    /// JSON `true` / `false` as output bytes (no serializer needed).
    public static func jsonBool(_ value: Bool) -> [UInt8] {
        value ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65]
    }
}
