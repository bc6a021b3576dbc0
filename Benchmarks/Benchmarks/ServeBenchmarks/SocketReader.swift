import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads HTTP/1.1 messages from a blocking socket: a head up to the blank line, then a body of
/// known length or chunks.
struct SocketReader {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The start line and header lines of the next message, or nil when the connection ended.
    mutating func readHead() -> [Substring]? {
        guard let end = readUntil([13, 10, 13, 10]) else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        return head.split(separator: "\r\n")
    }

    /// The next `length` bytes, or nil when the connection ended first.
    mutating func readBody(length: Int) -> [UInt8]? {
        while buffer.count < length {
            guard receive() else { return nil }
        }
        defer { buffer.removeFirst(length) }
        return Array(buffer[..<length])
    }

    /// Skips a chunked body (up to its last, empty chunk); false when the connection ended first.
    mutating func skipChunkedBody() -> Bool {
        guard let end = readUntil(Array("0\r\n\r\n".utf8)) else { return false }
        buffer.removeFirst(end + 5)
        return true
    }

    /// The value of header `name` (lowercased), if present.
    static func header(_ name: String, in lines: [Substring]) -> String? {
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name {
                return parts[1].trimmingCharacters(in: .whitespaces).lowercased()
            }
        }
        return nil
    }

    private mutating func readUntil(_ marker: [UInt8]) -> Int? {
        var searchFrom = 0
        while true {
            if buffer.count >= marker.count {
                for start in searchFrom...(buffer.count - marker.count)
                where buffer[start] == marker[0] && buffer[start..<(start + marker.count)].elementsEqual(marker) {
                    return start
                }
                searchFrom = buffer.count - marker.count + 1
            }
            guard receive() else { return nil }
        }
    }

    private mutating func receive() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }
}
