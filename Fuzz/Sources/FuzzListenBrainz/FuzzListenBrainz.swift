// libFuzzer target: ListenBrainz `POST /1/submit-listens` bodies, as an authenticated client
// sends them, through `ListenBrainzReceiver` (limits, JSON, payload checks, `LenientJSON` reads),
// a fresh receiver with the default limits per input so that every run is reproducible.
//
// Invariants: the receiver answers 200 with at least one event or another status with none,
// its reply body is a JSON object, and every event carries numbers a consumer can use (finite,
// non-negative durations and rates, non-negative positions, track and disc numbers).

import Feeds
import Foundation
import LibFuzzer
import Logging
import Synchronization

private let token = "fuzz-token"
private let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
private let now = Date(timeIntervalSince1970: 1_700_000_000)

/// Submits `body` with the `Authorization` header `authorization`, as the daemon does. The task
/// starts on this thread (`Task.immediate`) and, reading the body from memory, normally finishes
/// before returning: waiting for another thread would cost more than the submission.
private func submit(_ receiver: ListenBrainzReceiver, authorization: String, body: Data) -> ListenBrainzReceiver.Reply {
    let done = DispatchSemaphore(value: 0)
    let reply = Mutex<ListenBrainzReceiver.Reply?>(nil)
    Task.immediate {
        let answer = await receiver.submitListens(
            authorization: authorization, remoteAddress: "192.0.2.1", declaredLength: body.count, now: now,
            readBody: { _ in body })
        reply.withLock { $0 = answer }
        done.signal()
    }
    done.wait()
    return reply.withLock { $0! }
}

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    let receiver = ListenBrainzReceiver(tokens: [token: "fuzzer"], logger: logger)
    let reply = submit(receiver, authorization: "Token \(token)", body: body)
    check(reply)
    if reply.status == 200 {
        require(!reply.events.isEmpty, "200 without events")
    } else {
        require(reply.events.isEmpty, "status \(reply.status) with events")
    }
    for event in reply.events {
        require(event.username == "fuzzer", "event for another user: \(event.username)")
        require(event.positionMs >= 0, "negative position \(event.positionMs)")
        require(event.playbackRate.isFinite && event.playbackRate > 0, "bad playback rate \(event.playbackRate)")
        let track = event.track
        require(track.duration.isFinite && track.duration >= 0, "bad duration \(track.duration)")
        require(track.trackNumber >= 0 && track.discNumber >= 0, "negative track or disc number")
        require(!track.title.isEmpty && !track.artist.isEmpty, "event without title or artist")
    }

    // The same bytes as an Authorization header and as a token: never a crash, never valid.
    let header = String(decoding: body.prefix(256), as: UTF8.self)
    let unauthenticated = submit(receiver, authorization: header, body: Data())
    check(unauthenticated)
    require(unauthenticated.status != 200, "a submission without listens accepted")
    check(receiver.validateToken(authorization: header))
    check(receiver.validateToken(authorization: nil, token: header))
    return 0
}

/// Every reply body is a JSON object.
private func check(_ reply: ListenBrainzReceiver.Reply) {
    let object = try? JSONSerialization.jsonObject(with: reply.body)
    require(object is [String: Any], "reply body is not a JSON object: \(String(decoding: reply.body, as: UTF8.self))")
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fatalError("FuzzListenBrainz invariant: \(message)")
}
