@testable import DiscordRichPresence
import Testing

/// The plugin's cache values: length-prefixed fields that read back exactly, or not at all.
@Suite struct StoredFieldsTests {
    @Test func fieldsReadBackWhateverTheirBytes() {
        let fields = ["", "a:b", "12:x", "Café ✓", "{\"op\":3}", String(repeating: "z", count: 1_000)]
        let text = StoredFields.text(fields)
        #expect(text.hasPrefix("0:3:a:b4:12:x"))
        #expect(StoredFields.fields(text, count: fields.count) == fields)
        #expect(StoredFields.fields(text, count: fields.count - 1) == nil)
        #expect(StoredFields.fields("", count: 0) == [])
    }

    @Test func malformedTextIsRefused() {
        for broken in ["3:ab", "x:1", "1", ":a", "-1:a", "2a:bb", "9999999999:a", "1:a1"] {
            #expect(StoredFields.ranges(Array(broken.utf8)) == nil, "\(broken)")
        }
    }

    @Test func integersAreBounded() {
        #expect(StoredFields.integer("-42") == -42)
        #expect(StoredFields.integer("1700000000000") == 1_700_000_000_000)
        #expect(StoredFields.integer("") == nil)
        #expect(StoredFields.integer("4.5") == nil)
    }

    @Test func sessionsPresencesAndPayloadsRoundTrip() throws {
        var session = GatewaySession()
        session.phase = .ready
        session.sessionID = "s:1"
        session.resumeURL = "wss://resume.test"
        session.heartbeatIntervalMs = 41_250
        session.openedAt = 1_700_000_000_000
        session.attempts = 3
        let again = try #require(GatewaySession(text: session.text))
        #expect(again.phase == .ready && again.sessionID == "s:1" && again.resumeURL == "wss://resume.test")
        #expect(again.heartbeatIntervalMs == 41_250 && again.openedAt == 1_700_000_000_000 && again.attempts == 3)
        // An unknown phase reads as disconnected; a wrong field count not at all.
        let unknownPhase = StoredFields.text(["9", "", "", "1", "0", "0"])
        #expect(GatewaySession(text: unknownPhase)?.phase == .disconnected)
        #expect(GatewaySession(text: StoredFields.text(["3", "", ""])) == nil)
        #expect(GatewaySession(text: #"{"phase":3}"#) == nil)

        let record = PresenceRecord(frame: #"{"op":3,"d":{"status":"online"}}"#, trackID: "t1", start: -5, paused: true)
        let read = try #require(PresenceRecord(text: record.text))
        #expect(read.frame == record.frame && read.trackID == "t1" && read.start == -5 && read.paused)

        #expect(SchedulePayload(text: StoredFields.text(["7", "alice", ""])) == nil)
        #expect(SchedulePayload(text: SchedulePayload(.flush, user: "a:b").text)?.user == "a:b")
    }
}
