/// The binary frame of exports whose payload carries raw bytes (HTTPEndpoint's
/// `nd_http_handle_request`) instead of plain JSON:
///
/// - input: a 4-byte big-endian length N, N bytes of JSON (the request without its body), then
///   the raw body to the end of the input;
/// - output: `0x00`, a 4-byte big-endian length N, N bytes of JSON (the response without its
///   body), then the raw body; or, when the call fails, `0x01` and the error text. The export
///   returns 0 either way.
public enum RawFrame {
    /// Decodes the framed input, calls `body` and writes the framed output.
    public static func run<Request: JSONDecodable>(
        _ request: Request.Type,
        trailer: (inout Request, [UInt8]) -> Void,
        _ body: (Request) throws(PluginError) -> (JSONValue, [UInt8])
    ) -> Int32 {
        let input = Extism.input()
        guard input.count >= 4 else { return failed("invalid input: shorter than the 4-byte frame header") }
        let length = Int(input[0]) << 24 | Int(input[1]) << 16 | Int(input[2]) << 8 | Int(input[3])
        guard length <= input.count - 4 else {
            return failed("invalid input: frame header announces \(length) bytes of JSON, \(input.count - 4) follow")
        }
        var decoded: Request
        do {
            decoded = try Request.decode(json: Array(input[4..<(4 + length)]))
        } catch {
            return failed("invalid input: " + error.message)
        }
        trailer(&decoded, Array(input[(4 + length)...]))
        let json: JSONValue
        let raw: [UInt8]
        do {
            (json, raw) = try body(decoded)
        } catch {
            if error.notImplemented { return ExportCall.notImplementedCode }
            return failed(error.text)
        }
        let text = json.serialized()
        var output: [UInt8] = [0]
        output.reserveCapacity(5 + text.count + raw.count)
        let n = UInt32(text.count)
        output += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        output += text
        output += raw
        Extism.setOutput(output)
        return 0
    }

    static func failed(_ message: String) -> Int32 {
        Extism.setOutput([1] + Array(message.utf8))
        return 0
    }
}
