import Console
import Feeds
import Foundation
import HostServices
import PluginRuntime

/// The data behind the console's pages, limited to what the session's role may see.
extension TonearmDaemon {
    /// The layout's fields for `session` on the page `nav`.
    func layoutContext(_ session: ConsoleSession, title: String, nav: String) -> [String: Any] {
        [
            "title": title, "signedIn": true, "isAdmin": session.role == .admin, "csrf": session.csrfToken,
            "who": Self.describe(session.role), "nav\(nav)": true,
        ]
    }

    static func describe(_ role: ConsoleRole) -> String {
        switch role {
        case .admin: "operator"
        case .user(let name): name
        }
    }

    /// The users `role` may see: everyone for the operator, oneself for a user.
    func visibleUsers(_ role: ConsoleRole) -> [Status.User] {
        let users = status().users
        guard case .user(let name) = role else { return users }
        return users.filter { $0.userName.lowercased() == name.lowercased() }
    }

    func visibleCards(_ role: ConsoleRole) -> [PresenceBoard.Card] {
        let cards = console.presence.allCards()
        guard case .user(let name) = role else { return cards }
        return cards.filter { $0.user.lowercased() == name.lowercased() }
    }

    /// The live part of the dashboard: feeds (operator only), users' playback, presence cards.
    func liveContext(_ session: ConsoleSession, now: Date = Date()) -> [String: Any] {
        let isAdmin = session.role == .admin
        let activity = console.feedActivity.snapshot
        var context: [String: Any] = ["isAdmin": isAdmin]
        if isAdmin {
            var subsonic: [String: Any] = ["enabled": subsonicClient != nil && configuration.server.subsonic.poll]
            subsonic["server"] = subsonicClient?.serverURL ?? ""
            subsonic["lastPoll"] = activity.lastPoll.map { Self.ago($0, now: now) } ?? "not yet"
            if let error = activity.lastPollError, activity.failedPolls > 0 { subsonic["lastError"] = error }
            if let next = activity.nextPollAt, activity.failedPolls > 0 {
                subsonic["backoff"] = "\(activity.failedPolls) failed poll(s) in a row; next in \(max(0, Int(next.timeIntervalSince(now).rounded(.up)))) s"
            }
            context["subsonic"] = subsonic
            context["listenBrainz"] = [
                "enabled": configuration.server.listenBrainzEnabled,
                "accepted": activity.submissions.values.reduce(0, +), "refused": activity.refusedSubmissions,
                "last": activity.lastSubmission.map { "\(activity.lastSubmissionUser ?? "") \(Self.ago($0, now: now))" } ?? "none yet",
                "perUser": activity.submissions.sorted { $0.key < $1.key }.prefix(20).map { "\($0.key): \($0.value)" },
            ] as [String: Any]
        }
        context["users"] = visibleUsers(session.role).map { user -> [String: Any] in
            [
                "name": user.userName,
                "playing": user.playing.map { playback -> [String: Any] in
                    let paused = playback.state == "paused"
                    let position = playback.positionMs + (paused ? 0 : Int64(max(0, now.timeIntervalSince(playback.since)) * 1000))
                    var item: [String: Any] = [
                        "title": playback.title, "artist": playback.artist, "album": playback.album, "player": playback.player,
                        "stateLabel": paused ? "paused" : "playing", "position": Self.clock(milliseconds: position),
                    ]
                    // The cover, through Tonearm's signed artwork links, when the music server knows the track.
                    if subsonicClient != nil, !playback.trackId.isEmpty {
                        item["art"] = artworkSigner.url(kind: .track, id: playback.trackId, size: 160)
                    }
                    return item
                },
            ]
        }
        let cards = visibleCards(session.role)
        context["hasCards"] = !cards.isEmpty
        context["cards"] = cards.map { card -> [String: Any] in
            var item: [String: Any] = [
                "user": card.user, "plugin": card.plugin, "stateLabel": stateLabel(card, now: now),
                "stateClass": card.state == "connected" ? "ok" : card.state == "stopped" ? "bad" : "warn",
                "heading": card.activity.map { $0.type == 2 ? "Listening to \($0.name)" : "Playing" } ?? "",
            ]
            if let activity = card.activity {
                var fields: [String: Any] = [
                    "name": activity.name, "details": activity.details ?? "", "state": activity.state ?? "",
                    "largeText": activity.largeText ?? "", "memberListLine": activity.memberListLine,
                ]
                if let image = activity.largeImage { fields["largeImage"] = image }
                if let start = activity.start, let end = activity.end, end > start {
                    fields["progress"] = ["start": "\(start)", "end": "\(end)"]
                }
                item["activity"] = fields
            }
            return item
        }
        return context
    }

    /// The connection state under a presence card. A Discord plugin names its reconnect
    /// schedule `<user>-reconnect`; when one is due, the label says when.
    func stateLabel(_ card: PresenceBoard.Card, now: Date) -> String {
        let since = Self.ago(card.stateSince, now: now)
        switch card.state {
        case "stopped":
            return card.closeCode == 4004
                ? "stopped: Discord refused the token (4004) \(since)"
                : "stopped: Discord closed with \(card.closeCode ?? 0) \(card.closeReason ?? "") \(since)"
        case "retrying":
            if let due = host.scheduler.dueDate(of: card.plugin, schedule: "\(card.user)-reconnect") {
                return "disconnected (\(card.closeCode ?? 0)) \(since); retrying in \(max(0, Int(due.timeIntervalSince(now).rounded(.up)))) s"
            }
            return "disconnected (\(card.closeCode ?? 0)) \(since); the plugin retries"
        default:
            return "\(card.state) \(since)"
        }
    }

    /// "12 s ago", "3 min ago", "2 h ago".
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds) s ago" }
        if seconds < 7200 { return "\(seconds / 60) min ago" }
        return "\(seconds / 3600) h ago"
    }

    /// `m:ss`.
    static func clock(milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        return "\(seconds / 60):\(String(format: "%02d", Int(seconds % 60)))"
    }

    /// What the plugin cards of the plugins page show.
    func pluginContext(_ status: PluginStatus, csrf: String) -> [String: Any] {
        var context: [String: Any] = [
            "id": status.id, "displayName": status.name ?? status.id, "version": status.version ?? "",
            "author": status.author ?? "", "description": status.description ?? "", "file": status.file,
            "state": status.state.rawValue, "enabled": status.enabled,
            "stateClass": status.state == .loaded ? "ok" : status.state == .failed ? "bad" : "muted",
            "capabilities": status.capabilities.joined(separator: ", "),
            "permissions": status.permissions.map { name -> [String: Any] in
                ["name": name, "reason": status.permissionReasons?[name] ?? ""]
            },
            "csrf": csrf,
        ]
        if let error = status.lastError { context["lastError"] = error }
        return context
    }

    static func logContext(_ entry: LogRing.Entry) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withTime, .withColonSeparatorInTime]
        return [
            "time": formatter.string(from: entry.date), "level": entry.level, "plugin": entry.plugin ?? "",
            "message": entry.message, "metadata": entry.metadata,
        ]
    }
}
