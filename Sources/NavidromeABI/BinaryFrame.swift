import TonearmJSON

/// Navidrome's binary framing for capability calls whose payload carries raw bytes, such as
/// `nd_http_handle_request` (`callPluginFunctionRaw`, branch `plugins-endpoints`,
/// plugins/manager_call.go). The raw bytes travel outside the JSON, so they are not
/// base64-encoded:
///
/// - input: `[JSON length: 4 bytes, big-endian][JSON][raw bytes]`;
/// - output: `[0x00][JSON length: 4 bytes, big-endian][JSON][raw bytes]` on success, or
///   `[0x01][UTF-8 error message]` when the plugin failed.
package enum BinaryFrame {
    /// The largest JSON part or raw part Navidrome frames (2 MiB).
    package static let maxPartSize = 2 << 20

    /// Why a frame could not be made or read.
    package enum Problem: Error, Equatable, CustomStringConvertible {
        case inputTooLarge(json: Int, raw: Int)
        /// The plugin answered an error frame with this message.
        case pluginError(String)
        case empty
        /// A success frame shorter than its 5-byte head.
        case malformed
        case unknownStatus(UInt8)
        case truncated(declared: UInt32, available: Int)

        package var description: String {
            switch self {
            case .inputTooLarge(let json, let raw):
                "input frame too large (JSON \(json) B, raw \(raw) B; at most \(BinaryFrame.maxPartSize) B each)"
            case .pluginError(let message): "plugin error: \(message)"
            case .empty: "empty response from plugin"
            case .malformed: "malformed success response from plugin"
            case .unknownStatus(let byte):
                "unknown response status byte: 0x\(byte < 16 ? "0" : "")\(String(byte, radix: 16))"
            case .truncated(let declared, let available):
                "invalid json length in response frame: \(declared) exceeds available \(available) bytes"
            }
        }
    }

    /// Frames a request: its JSON (without the raw field) followed by the raw bytes.
    package static func input(json: [UInt8], raw: [UInt8]) throws(Problem) -> [UInt8] {
        guard json.count <= maxPartSize, raw.count <= maxPartSize else {
            throw .inputTooLarge(json: json.count, raw: raw.count)
        }
        let length = UInt32(json.count)
        var frame: [UInt8] = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        frame.reserveCapacity(4 + json.count + raw.count)
        frame += json
        frame += raw
        return frame
    }

    /// Reads a plugin's answer into its JSON part and raw part.
    package static func output(_ frame: [UInt8]) throws(Problem) -> (json: ArraySlice<UInt8>, raw: ArraySlice<UInt8>) {
        guard let status = frame.first else { throw .empty }
        switch status {
        case 0x01: throw .pluginError(String(decoding: frame.dropFirst(), as: UTF8.self))
        case 0x00: break
        default: throw .unknownStatus(status)
        }
        guard frame.count >= 5 else { throw .malformed }
        let length = frame[1...4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let available = frame.count - 5
        // Compared as UInt64: a declared length near UInt32.max must not wrap an Int sum.
        guard UInt64(length) <= UInt64(available) else { throw .truncated(declared: length, available: available) }
        let end = 5 + Int(length)
        return (frame[5..<end], frame[end...])
    }
}

extension HTTPHandleRequest {
    /// The request as the input frame of `nd_http_handle_request`.
    package func inputFrame() throws(BinaryFrame.Problem) -> [UInt8] {
        var head = self
        head.body = []
        return try BinaryFrame.input(json: head.goJSONBytes(), raw: body)
    }
}

extension HTTPHandleResponse {
    /// Reads the output frame of `nd_http_handle_request`.
    package init(outputFrame frame: [UInt8]) throws(HTTPHandleFrameError) {
        let parts: (json: ArraySlice<UInt8>, raw: ArraySlice<UInt8>)
        do {
            parts = try BinaryFrame.output(frame)
        } catch {
            throw .frame(error)
        }
        do {
            try self.init(jsonBytes: Array(parts.json))
        } catch {
            throw .json(error)
        }
        body = Array(parts.raw)
    }
}

/// Why the answer of `nd_http_handle_request` could not be read.
package enum HTTPHandleFrameError: Error, CustomStringConvertible {
    case frame(BinaryFrame.Problem)
    case json(JSONRequestError)

    package var description: String {
        switch self {
        case .frame(let problem): problem.description
        case .json(let error): "failed to unmarshal response: \(error)"
        }
    }
}
