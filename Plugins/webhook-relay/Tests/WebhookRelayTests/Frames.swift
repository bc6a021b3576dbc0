import NavidromePDK

/// HTTPEndpoint's binary frame, as Navidrome (branch plugins-endpoints) writes and reads it.
enum Frame {
    /// Input: 4-byte big-endian length, the request JSON, then the raw body.
    static func request(_ request: HTTPHandleRequest, body: [UInt8] = []) -> [UInt8] {
        let json = request.jsonBytes()
        let n = UInt32(json.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + json + body
    }

    /// Output on success: 0x00, 4-byte big-endian length, the response JSON, then the raw body.
    static func response(_ output: [UInt8]) throws -> (json: JSONValue, body: [UInt8]) {
        guard output.count >= 5, output[0] == 0 else { throw FrameError(output: output) }
        let n = Int(output[1]) << 24 | Int(output[2]) << 16 | Int(output[3]) << 8 | Int(output[4])
        return (try JSONValue.parse(Array(output[5..<5 + n])), Array(output[(5 + n)...]))
    }

    struct FrameError: Error {
        var output: [UInt8]
    }
}
