import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP server on 127.0.0.1 that answers every request `200` and keeps the body of each
/// POST by path: where a benchmark plugin reports what it got acknowledged.
final class LoopbackRecorder: Sendable {
    let port: Int
    private let descriptor: Int32
    private let bodies = Mutex<[String: [String]]>([:])

    init() throws {
        (descriptor, port) = try LoopbackSocket.listen()
        LoopbackSocket.acceptConnections(on: descriptor) { [self] client in
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    /// The bodies POSTed to `path` so far, in order of arrival.
    func bodies(_ path: String) -> [String] {
        bodies.withLock { $0[path] ?? [] }
    }

    /// Stops accepting connections.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private func serve(_ client: Int32) {
        var reader = SocketReader(descriptor: client)
        defer { close(client) }
        while let lines = reader.readHead() {
            let length = SocketReader.header("content-length", in: lines).flatMap { Int($0) } ?? 0
            guard let body = reader.readBody(length: length) else { return }
            let target = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            bodies.withLock { $0[target, default: []].append(String(decoding: body, as: UTF8.self)) }
            let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
            guard reply.withUnsafeBytes({ LoopbackSocket.sendAll(client, $0) }) else { return }
        }
    }
}

/// A TCP server on 127.0.0.1 that accepts connections and never answers: the peer waits until
/// its own deadline. Holds every connection until stopped.
final class Tarpit: Sendable {
    let port: Int
    private let descriptor: Int32
    private let held = Mutex<[Int32]>([])

    init() throws {
        (descriptor, port) = try LoopbackSocket.listen()
        LoopbackSocket.acceptConnections(on: descriptor) { [self] client in
            held.withLock { $0.append(client) }
        }
    }

    /// Connections accepted so far.
    var accepted: Int { held.withLock { $0.count } }

    /// Stops accepting and closes every held connection.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        held.withLock { descriptors in
            for client in descriptors { close(client) }
            descriptors.removeAll()
        }
    }
}
