import Foundation
import Logging
import Testing
import TonearmJSON

@testable import Feeds

/// Numbers from players and the music server are range-checked before any conversion: each of
/// these inputs used to trap (SIGILL) the process.
@Suite(.timeLimit(.minutes(1))) struct OutsideNumbersTests {
    let receiver = ListenBrainzReceiver(tokens: ["tok-alice": "alice"], logger: Logger(label: "test.numbers"))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func submit(_ type: String, listenedAt: String? = nil, info: String) async -> ListenBrainzReceiver.Reply {
        let at = listenedAt.map { #""listened_at":\#($0),"# } ?? ""
        let body = """
            {"listen_type":"\(type)","payload":[{\(at)"track_metadata":{"artist_name":"A","track_name":"T",\
            "additional_info":{\(info)}}}]}
            """
        return await receiver.submitListens(authorization: "Token tok-alice", now: now) { _ in Data(body.utf8) }
    }

    func error(_ reply: ListenBrainzReceiver.Reply) -> String {
        let object = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any]
        return object?["error"] as? String ?? ""
    }

    @Test(arguments: [
        #""duration_ms":1e300"#, #""duration_ms":-1"#, #""duration_ms":"1e300""#, #""duration_ms":9223372036854775807"#,
        #""duration_ms":2073600001"#, #""duration":1e300"#, #""duration":-5"#, #""duration":2073601"#,
    ])
    func outOfRangeDurationsAre400NamingTheField(info: String) async {
        for type in ["playing_now", "single"] {
            let reply = await submit(type, listenedAt: type == "single" ? "1700000000" : nil, info: info)
            #expect(reply.status == 400, "\(type) \(info)")
            let field = info.contains("duration_ms") ? "additional_info.duration_ms" : "additional_info.duration"
            #expect(error(reply).contains(field), "\(error(reply))")
            #expect(reply.events.isEmpty)
        }
    }

    @Test func longestDurationIsAcceptedAndScrobbledWithoutOverflow() async throws {
        let reply = await submit("single", listenedAt: "1700000000", info: #""duration_ms":2073600000"#)
        #expect(reply.status == 200)
        let event = try #require(reply.events.first)
        #expect(event.track.duration == PlaybackTrack.maxDuration && event.positionMs == 2_073_600_000)
    }

    @Test(arguments: ["1e19", "9223372036854775807", "18446744073709551615", "1e300", "1800086401"])
    func listenedAtTooFarAheadIs400(value: String) async {
        let reply = await submit("single", listenedAt: value, info: "")
        #expect(reply.status == 400)
        #expect(error(reply).contains("listened_at is too high"), "\(error(reply))")
    }

    @Test func listenedAtUpToADayAheadIsAccepted() async throws {
        let reply = await submit("single", listenedAt: "1800086400", info: "")
        #expect(reply.status == 200)
        #expect(try #require(reply.events.first).timestamp == Date(timeIntervalSince1970: 1_800_086_400))
    }

    /// `tracknumber` and `discnumber` are free-form in ListenBrainz: implausible ones are ignored.
    @Test(arguments: ["9223372036854775807", "-9223372036854775808", "18446744073709551615", "1e300", "-3",
        #""99999999999999999999""#, "2147483648"])
    func implausibleTrackAndDiscNumbersCountAsUnknown(value: String) async throws {
        let reply = await submit("playing_now", info: #""tracknumber":\#(value),"discnumber":\#(value)"#)
        #expect(reply.status == 200)
        let track = try #require(reply.events.first).track
        #expect(track.trackNumber == 0 && track.discNumber == 0)
    }

    @Test func lenientIntegers() {
        #expect(LenientJSON.int(.integer(.max)) == nil)
        #expect(LenientJSON.int(.number(18_446_744_073_709_551_615)) == nil)
        #expect(LenientJSON.int(.number(1e300)) == nil)
        #expect(LenientJSON.int(.number(-1e300)) == nil)
        #expect(LenientJSON.int("99999999999999999999") == nil)
        #expect(LenientJSON.int("NaN") == nil && LenientJSON.int("inf") == nil)
        #expect(LenientJSON.int("3/12") == 3 && LenientJSON.int(.number(7.9)) == 7)
        #expect(LenientJSON.int(.integer(12), in: 0...10) == nil && LenientJSON.int("-1", in: 0...10) == nil)
    }

    /// What a broken or hostile Subsonic server could put in `getNowPlaying`: implausible
    /// numbers count as absent (or, for `minutesAgo`, as "long ago"), and tracking such entries
    /// over several polls never overflows.
    @Test(arguments: ["1e300", "-1e300", "9223372036854775807", "\"NaN\"", "\"inf\"", "-1"])
    func implausibleNowPlayingNumbersAreAbsent(value: String) throws {
        let json = """
            {"id":"s1","title":"T","artist":"A","album":"B","username":"alice","playerId":"1","playerName":"web",\
            "duration":\(value),"track":\(value),"discNumber":\(value),"minutesAgo":\(value),\
            "state":"playing","positionMs":\(value),"playbackRate":\(value)}
            """
        let object = try #require(try JSONValue.parse(json).objectValue)
        let entry = try #require(NowPlayingEntry(json: object))
        #expect(entry.track.duration == 0 && entry.track.trackNumber == 0 && entry.track.discNumber == 0)
        #expect(entry.positionMs == nil && entry.playbackRate == nil)
        #expect(entry.minutesAgo >= 0 && entry.minutesAgo <= PlaybackTrack.maxDuration / 60)

        var tracker = NowPlayingTracker()
        _ = tracker.update([entry], at: now)
        var plain = entry
        plain.state = nil
        _ = tracker.update([plain], at: now + 3600)
        let stopped = tracker.update([], at: now + 7200)
        #expect(stopped.allSatisfy { $0.positionMs >= 0 && $0.positionMs <= Int64(PlaybackTrack.maxDuration * 1000) })
    }

    /// Entries made in code can carry anything; the tracker clamps before converting.
    @Test func trackerSurvivesExtremeEntries() {
        let track = PlaybackTrack(id: "1", title: "T", duration: 1e300)
        var tracker = NowPlayingTracker()
        let extremes: [NowPlayingEntry] = [
            NowPlayingEntry(
                track: track, username: "a", minutesAgo: 1e300, playerId: "1", state: "playing",
                positionMs: .max, playbackRate: 1e300),
            NowPlayingEntry(
                track: track, username: "b", minutesAgo: .nan, playerId: "1", state: "playing", positionMs: .min,
                playbackRate: .infinity),
            NowPlayingEntry(track: track, username: "c", minutesAgo: .infinity, playerId: "1"),
        ]
        _ = tracker.update(extremes, at: now)
        _ = tracker.update(extremes.map { var e = $0; e.positionMs = e.positionMs.map { $0 / -2 }; return e }, at: now + 1e9)
        let events = tracker.update([], at: now + 2e9)
        #expect(events.allSatisfy { $0.positionMs >= 0 })
    }
}
