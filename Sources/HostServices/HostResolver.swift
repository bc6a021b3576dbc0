import Foundation
import Synchronization

/// Looks host names up, so that ``HostPolicy`` can check the addresses a connection would
/// reach and the connection can then go to exactly that address (a second lookup could answer
/// differently: DNS rebinding).
struct HostResolver: Sendable {
    /// The addresses of a host name (never a literal); throws a ``HostServiceError`` naming the host.
    let lookup: @Sendable (String) async throws -> [IPAddress]

    /// The system resolver (`getaddrinfo`), run off the Swift concurrency pool. A cancelled task
    /// stops waiting at once; the lookup itself finishes in the background.
    static let system = HostResolver { host in
        let waiter = LookupWaiter()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiter.install(continuation) else { return }
                DispatchQueue.global().async { waiter.finish(Result { try systemLookup(host) }) }
            }
        } onCancel: {
            waiter.finish(.failure(CancellationError()))
        }
    }

    private static func systemLookup(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw HostServiceError("could not resolve host \"\(host)\": \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            if let sockaddr = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    let address = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let ip = IPAddress(bytes: withUnsafeBytes(of: address) { Array($0) }) { addresses.append(ip) }
                case AF_INET6:
                    let address = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let ip = IPAddress(bytes: withUnsafeBytes(of: address) { Array($0) }) { addresses.append(ip) }
                default:
                    break
                }
            }
            entry = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw HostServiceError("could not resolve host \"\(host)\": no addresses") }
        return addresses
    }
}

/// Resumes a lookup's continuation once: with the answer, or early when the task is cancelled.
private final class LookupWaiter: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<[IPAddress], any Error>)
        case finished(Result<[IPAddress], any Error>?)
    }

    private let state = Mutex<State>(.waiting)

    /// Stores the continuation; false (and resumed) if the lookup already finished (cancelled before it started).
    func install(_ continuation: CheckedContinuation<[IPAddress], any Error>) -> Bool {
        let early: Result<[IPAddress], any Error>? = state.withLock { state in
            if case .finished(let result) = state {
                state = .finished(nil)
                return result ?? .failure(CancellationError())
            }
            state = .installed(continuation)
            return nil
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    func finish(_ result: Result<[IPAddress], any Error>) {
        let continuation: CheckedContinuation<[IPAddress], any Error>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .finished(result)
                return nil
            case .installed(let continuation):
                state = .finished(nil)
                return continuation
            case .finished:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
