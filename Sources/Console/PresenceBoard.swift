import Foundation
import Synchronization
import TonearmJSON

/// What each plugin's Discord gateway connection shows, read from the frames the plugin sends
/// (the host forwards them, so it sees them): the activity of the last presence update (op 3)
/// and the connection's state. Connection ids are usernames (the Discord plugin's convention).
///
/// Keeps only the activity's display fields and the status: never an Identify's token, never a
/// whole frame.
package final class PresenceBoard: Sendable {
    /// One connection's card.
    package struct Card: Sendable, Equatable, Encodable {
        package var plugin: String
        /// The connection id: the username.
        package var user: String
        /// `connecting`, `identifying`, `resuming`, `connected`, `retrying` or `stopped`.
        package var state: String
        /// Why the connection last closed, when it did.
        package var closeCode: Int?
        package var closeReason: String?
        package var stateSince: Date
        /// The Discord status sent with the presence (`online`, `idle`, …).
        package var status: String?
        package var activity: Activity?
        package var activityUpdated: Date?
    }

    /// An activity as the plugin sent it, with its image as a URL a browser can load.
    package struct Activity: Sendable, Equatable, Encodable {
        package var name: String
        package var type: Int
        package var details: String?
        package var state: String?
        package var largeImage: String?
        package var largeText: String?
        package var smallImage: String?
        package var smallText: String?
        /// Unix milliseconds.
        package var start: Int64?
        package var end: Int64?
        /// 0 name, 1 state, 2 details: what a member list shows after "Listening to".
        package var statusDisplayType: Int?

        /// The member-list line ("Listening to …").
        package var memberListLine: String {
            let subject = switch statusDisplayType {
            case 1: state ?? name
            case 2: details ?? name
            default: name
            }
            return "\(type == 2 ? "Listening to" : type == 3 ? "Watching" : "Playing") \(subject)"
        }
    }

    /// Close codes after which the Discord plugin does not reconnect (DISCORD.md: authentication
    /// failed, invalid shard/intents/API version).
    package static let finalCloseCodes: Set<Int> = [4004, 4010, 4011, 4012, 4013, 4014]
    /// The most cards kept (one per user per plugin).
    package static let capacity = 100_000

    private let cards = Mutex<[String: Card]>([:])

    package init() {}

    package func connectionOpened(plugin: String, connection: String, now: Date = Date()) {
        update(plugin, connection, now: now) { card in
            card.state = "connecting"
            card.stateSince = now
        }
    }

    package func textSent(plugin: String, connection: String, message: String, now: Date = Date()) {
        // Heartbeats (op 1) are most of the traffic and change nothing here.
        guard message.utf8.count <= 65_536, let frame = try? JSONValue.parse(message, maxDepth: 16),
            let op = frame["op"]?.integerValue, op == 2 || op == 3 || op == 6
        else { return }
        update(plugin, connection, now: now) { card in
            switch op {
            case 2:
                card.state = "identifying"
                card.stateSince = now
            case 6:
                card.state = "resuming"
                card.stateSince = now
            default:
                if card.state != "connected" { card.stateSince = now }
                card.state = "connected"
                let data = frame["d"]
                card.status = data?["status"]?.stringValue
                card.activity = data?["activities"]?.arrayValue?.first.flatMap(Self.activity)
                card.activityUpdated = now
            }
        }
    }

    package func connectionClosed(plugin: String, connection: String, code: Int, reason: String, now: Date = Date()) {
        update(plugin, connection, now: now) { card in
            card.state = Self.finalCloseCodes.contains(code) ? "stopped" : "retrying"
            card.closeCode = code
            card.closeReason = String(reason.prefix(200))
            card.stateSince = now
            card.activity = nil
        }
    }

    /// Every card, by plugin then user.
    package func allCards() -> [Card] {
        cards.withLock { Array($0.values) }.sorted { ($0.plugin, $0.user) < ($1.plugin, $1.user) }
    }

    /// Forgets a plugin's cards (it was unloaded or removed).
    package func forget(plugin: String) {
        cards.withLock { cards in cards = cards.filter { $0.value.plugin != plugin } }
    }

    private func update(_ plugin: String, _ connection: String, now: Date, _ change: (inout Card) -> Void) {
        let key = "\(plugin)\u{0}\(connection)"
        cards.withLock { cards in
            guard cards[key] != nil || cards.count < Self.capacity else { return }
            var card = cards[key] ?? Card(plugin: plugin, user: connection, state: "connecting", stateSince: now)
            change(&card)
            cards[key] = card
        }
    }

    private static func activity(_ value: JSONValue) -> Activity? {
        guard let name = value["name"]?.stringValue else { return nil }
        let assets = value["assets"]
        let timestamps = value["timestamps"]
        return Activity(
            name: String(name.prefix(256)), type: Int(clamping: value["type"]?.integerValue ?? 0),
            details: value["details"]?.stringValue.map { String($0.prefix(256)) },
            state: value["state"]?.stringValue.map { String($0.prefix(256)) },
            largeImage: assets?["large_image"]?.stringValue.flatMap(imageURL),
            largeText: assets?["large_text"]?.stringValue.map { String($0.prefix(256)) },
            smallImage: assets?["small_image"]?.stringValue.flatMap(imageURL),
            smallText: assets?["small_text"]?.stringValue.map { String($0.prefix(256)) },
            start: timestamps?["start"]?.integerValue, end: timestamps?["end"]?.integerValue,
            statusDisplayType: value["status_display_type"]?.integerValue.map { Int(clamping: $0) })
    }

    /// The URL behind an activity image: `mp:external/<key>/<scheme>/<rest>` is the proxied
    /// form of `<scheme>://<rest>`; a plain http(s) URL is itself. Anything else (an uploaded
    /// asset's key) has no URL here.
    package static func imageURL(_ value: String) -> String? {
        if value.hasPrefix("http://") || value.hasPrefix("https://") { return value }
        guard value.hasPrefix("mp:external/") else { return nil }
        let parts = value.dropFirst("mp:external/".count).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "http" || parts[1] == "https", !parts[2].isEmpty else { return nil }
        return "\(parts[1])://\(parts[2])"
    }
}
