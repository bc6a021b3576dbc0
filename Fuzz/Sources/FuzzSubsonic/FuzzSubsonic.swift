// libFuzzer target: Subsonic / OpenSubsonic JSON responses as `SubsonicClient` reads them
// (`subsonic-response` envelope and status, `getNowPlaying` entries with the OpenSubsonic
// `playbackReport` fields, `getSong`, the extension list of `getOpenSubsonicExtensions`), then
// the entries through `NowPlayingTracker` over several polls, as the poller feeds it.
//
// The envelope steps mirror `SubsonicClient.call`, which cannot be reached without HTTP; the
// readers themselves (`LenientJSON`, `NowPlayingEntry(json:)`, `PlaybackTrack(subsonicChild:)`,
// `NowPlayingTracker`) are the client's own code.
//
// Invariants: every entry and event carries usable numbers (finite, non-negative durations,
// minutes and rates, non-negative positions, track and disc numbers).

import Foundation
import LibFuzzer
import TonearmJSON

@testable import Feeds

private let start = Date(timeIntervalSince1970: 1_700_000_000)
/// Poll times relative to the first, as a poller with a 5 s interval and a few stalls sees them.
private let polls: [TimeInterval] = [0, 5, 10, 95, 4000]

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let root = try? LenientJSON.object(Data(bytes: data, count: size)),
        let body = root["subsonic-response"]?.objectValue
    else { return 0 }
    let status = LenientJSON.text(body["status"])
    if status == "failed" {
        let error = body["error"]?.objectValue
        _ = LenientJSON.int(error?["code"])
        _ = LenientJSON.text(error?["message"])
        return 0
    }
    _ = LenientJSON.text(body["version"])
    _ = LenientJSON.text(body["type"])
    _ = LenientJSON.text(body["serverVersion"])
    for item in LenientJSON.array(body["openSubsonicExtensions"]) {
        guard let ext = item.objectValue, LenientJSON.text(ext["name"]) != nil else { continue }
        _ = LenientJSON.array(ext["versions"]).compactMap { LenientJSON.int($0) }
    }

    let song = body["song"]?.objectValue.flatMap { PlaybackTrack(subsonicChild: $0) }
    if let song { check(song) }

    guard let nowPlaying = body["nowPlaying"]?.objectValue else { return 0 }
    var entries = LenientJSON.array(nowPlaying["entry"]).compactMap { item in
        item.objectValue.flatMap { NowPlayingEntry(json: $0) }
    }
    for index in entries.indices {
        let entry = entries[index]
        check(entry.track)
        require(entry.minutesAgo.isFinite && entry.minutesAgo >= 0, "bad minutesAgo \(entry.minutesAgo)")
        require((entry.positionMs ?? 0) >= 0, "negative positionMs")
        if let rate = entry.playbackRate { require(rate.isFinite && rate > 0, "bad playbackRate \(rate)") }
        // The poller completes incomplete tracks with `getSong`.
        if let song, entry.track.isIncomplete {
            entries[index].track = entry.track.completed(with: song)
            check(entries[index].track)
        }
    }

    var tracker = NowPlayingTracker()
    for offset in polls {
        for event in tracker.update(entries, at: start.addingTimeInterval(offset)) { check(event) }
    }
    for event in tracker.update([], at: start.addingTimeInterval(5000)) { check(event) }
    return 0
}

private func check(_ track: PlaybackTrack) {
    require(track.duration.isFinite && track.duration >= 0, "bad duration \(track.duration)")
    require(track.trackNumber >= 0 && track.discNumber >= 0, "negative track or disc number")
    require(!track.id.isEmpty, "track without id")
}

private func check(_ event: PlaybackEvent) {
    check(event.track)
    require(event.positionMs >= 0, "negative position \(event.positionMs)")
    require(event.playbackRate.isFinite && event.playbackRate > 0, "bad playback rate \(event.playbackRate)")
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzSubsonic invariant: \(message())") }
}
