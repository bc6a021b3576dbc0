import Console
import Foundation
import Testing

@Suite struct PresenceBoardTests {
    static let presence = #"""
        {"op":3,"d":{"since":null,"status":"idle","afk":false,"activities":[{"name":"Navidrome","type":2,
        "details":"One More Time","state":"Daft Punk","status_display_type":2,
        "timestamps":{"start":1700000000000,"end":1700000320000},
        "assets":{"large_image":"mp:external/abc123/https/art.example.com/cover.jpg?size=300","large_text":"Discovery"}}]}}
        """#

    @Test func aPresenceUpdateBecomesTheCardAndIdentifyLeavesNoToken() throws {
        let board = PresenceBoard()
        board.connectionOpened(plugin: "discord", connection: "alice")
        board.textSent(plugin: "discord", connection: "alice", message: #"{"op":2,"d":{"token":"SECRET-TOKEN","intents":0}}"#)
        #expect(board.allCards().first?.state == "identifying")
        board.textSent(plugin: "discord", connection: "alice", message: #"{"op":1,"d":42}"#)
        board.textSent(plugin: "discord", connection: "alice", message: Self.presence)
        let card = try #require(board.allCards().first)
        #expect(card.state == "connected" && card.status == "idle" && card.user == "alice")
        let activity = try #require(card.activity)
        #expect(activity.name == "Navidrome" && activity.details == "One More Time" && activity.state == "Daft Punk")
        #expect(activity.largeImage == "https://art.example.com/cover.jpg?size=300")
        #expect(activity.start == 1_700_000_000_000 && activity.end == 1_700_000_320_000)
        #expect(activity.memberListLine == "Listening to One More Time")
        #expect(!"\(board.allCards())".contains("SECRET-TOKEN"))
    }

    @Test func closeCodesSayWhetherThePluginRetries() {
        let board = PresenceBoard()
        board.textSent(plugin: "discord", connection: "alice", message: Self.presence)
        board.connectionClosed(plugin: "discord", connection: "alice", code: 4000, reason: "unknown error")
        #expect(board.allCards().first?.state == "retrying")
        #expect(board.allCards().first?.activity == nil)
        board.textSent(plugin: "discord", connection: "alice", message: #"{"op":6,"d":{"session_id":"s","seq":3}}"#)
        #expect(board.allCards().first?.state == "resuming")
        board.connectionClosed(plugin: "discord", connection: "alice", code: 4004, reason: "Authentication failed.")
        #expect(board.allCards().first?.state == "stopped")
        #expect(board.allCards().first?.closeCode == 4004)
        board.forget(plugin: "discord")
        #expect(board.allCards().isEmpty)
    }

    @Test func hostileFramesChangeNothing() {
        let board = PresenceBoard()
        for message in [
            "", "not json", "[]", #"{"op":"3"}"#, #"{"op":3}"#, #"{"op":3,"d":{"activities":[{"type":2}]}}"#,
            String(repeating: "[", count: 100_000), #"{"op":99999999999999999999}"#,
        ] {
            board.textSent(plugin: "p", connection: "c", message: message)
        }
        #expect(board.allCards().allSatisfy { $0.activity == nil })
        #expect(PresenceBoard.imageURL("mp:external/k/ftp/x") == nil)
        #expect(PresenceBoard.imageURL("mp:external/k/https/") == nil)
        #expect(PresenceBoard.imageURL("asset-key") == nil)
        #expect(PresenceBoard.imageURL("https://a/b.png") == "https://a/b.png")
    }
}
