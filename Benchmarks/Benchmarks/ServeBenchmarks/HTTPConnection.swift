import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One kept-alive HTTP/1.1 connection to 127.0.0.1 on a blocking socket: cheap enough for a
/// load generator to send 1,000 requests a second from a few threads. Reconnects when the
/// server closed the connection (as it does after refusing a large body).
final class HTTPConnection {
    let port: Int
    private var reader: SocketReader?

    init(port: Int) {
        self.port = port
    }

    deinit { disconnect() }

    /// Sends one request and returns the response status, or 0 when the connection ended before
    /// a complete response (the server may close it while refusing a body it will not read).
    func send(method: String = "POST", path: String, headers: [(String, String)], body: [UInt8]) -> Int {
        if reader == nil {
            guard let connected = try? LoopbackSocket.connect(port: port) else { return 0 }
            reader = SocketReader(descriptor: connected)
        }
        guard var reader else { return 0 }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var sentAll = Array(head.utf8).withUnsafeBytes { LoopbackSocket.sendAll(reader.descriptor, $0) }
        if sentAll, !body.isEmpty { sentAll = body.withUnsafeBytes { LoopbackSocket.sendAll(reader.descriptor, $0) } }
        // A server that refuses a body early answers before it is all sent: read the answer anyway.
        guard let lines = reader.readHead(),
            let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else {
            close(reader.descriptor)
            self.reader = nil
            return 0
        }
        let complete: Bool
        if SocketReader.header("transfer-encoding", in: lines)?.contains("chunked") == true {
            complete = reader.skipChunkedBody()
        } else {
            complete = reader.readBody(length: SocketReader.header("content-length", in: lines).flatMap { Int($0) } ?? 0) != nil
        }
        if !complete || !sentAll || SocketReader.header("connection", in: lines) == "close" {
            close(reader.descriptor)
            self.reader = nil
        } else {
            self.reader = reader
        }
        return status
    }

    func disconnect() {
        if let reader { close(reader.descriptor) }
        reader = nil
    }
}
