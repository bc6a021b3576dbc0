import NavidromePDK

/// What the status page shows: configuration (without secrets), totals, and the rows the viewer
/// may see.
struct RelayStatus {
    var configured: Bool
    /// The webhook URL without user info, path or query (``RelaySettings/redactedURL``).
    var webhook: String
    var relayNowPlaying: Bool
    var secretSet: Bool
    var delivered: Int64
    var failed: Int64
    /// The viewer's rows: all for an admin, their own otherwise.
    var rows: [DeliveryStats]

    static func load(viewer: HTTPUser?) throws(PluginError) -> RelayStatus {
        let settings = RelaySettings.load()
        let all = try DeliveryStats.all()
        var delivered: Int64 = 0
        var failed: Int64 = 0
        for stats in all {
            delivered += stats.delivered
            failed += stats.failed
        }
        let rows = all.filter { stats in
            guard let viewer else { return false }
            return viewer.isAdmin || stats.username.hasSameUTF8(as: viewer.username)
        }
        return RelayStatus(
            configured: !settings.url.utf8.isEmpty, webhook: settings.redactedURL,
            relayNowPlaying: settings.relayNowPlaying, secretSet: !settings.secret.utf8.isEmpty,
            delivered: delivered, failed: failed, rows: rows)
    }

    /// The visible row with the latest successful delivery.
    var lastDelivery: DeliveryStats? {
        rows.filter { $0.lastDeliveredAt > 0 }.max { $0.lastDeliveredAt < $1.lastDeliveredAt }
    }

    /// The visible row with the latest failure.
    var lastFailure: DeliveryStats? {
        rows.filter { $0.lastFailedAt > 0 }.max { $0.lastFailedAt < $1.lastFailedAt }
    }

    var jsonValue: JSONValue {
        var json = JSONObjectWriter()
        json.set("configured", configured)
        json.set("webhook", webhook)
        json.set("nowPlaying", relayNowPlaying)
        json.set("secret", secretSet)
        json.set("delivered", delivered)
        json.set("failed", failed)
        if let last = lastDelivery {
            var entry = JSONObjectWriter()
            entry.set("event", last.event)
            entry.set("username", last.username)
            entry.set("at", last.lastDeliveredAt)
            entry.set("status", last.lastStatus)
            json.set("lastDelivery", .object(entry.object))
        }
        if let last = lastFailure {
            var entry = JSONObjectWriter()
            entry.set("event", last.event)
            entry.set("username", last.username)
            entry.set("at", last.lastFailedAt)
            entry.set("error", last.lastError)
            json.set("lastFailure", .object(entry.object))
        }
        var users: [JSONValue] = []
        for row in rows {
            var entry = JSONObjectWriter()
            entry.set("username", row.username)
            entry.set("event", row.event)
            entry.set("delivered", row.delivered)
            entry.set("failed", row.failed)
            users.append(.object(entry.object))
        }
        json.set("users", .array(users))
        return .object(json.object)
    }

    /// A small self-contained page (Navidrome's endpoint CSP allows inline styles only).
    var html: String {
        var page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Webhook relay</title>"
            + "<style>body{font:14px system-ui,sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}"
            + "th{border-bottom:1px solid #ccc}</style></head><body><h1>Webhook relay</h1>"
        if configured {
            page += "<p>Webhook: <code>\(HTMLText.escape(webhook))</code> · secret header: \(secretSet ? "set" : "none")"
                + " · now playing: \(relayNowPlaying ? "relayed" : "not relayed")</p>"
        } else {
            page += "<p><strong>Not configured:</strong> set the webhook URL in the plugin configuration.</p>"
        }
        page += "<p>Delivered: \(delivered) · Failed: \(failed)</p>"
        if let last = lastDelivery {
            page += "<p>Last delivery: \(HTMLText.escape(last.event)) of \(HTMLText.escape(last.username))"
                + " at \(UTCTime.format(last.lastDeliveredAt)) (HTTP \(last.lastStatus))</p>"
        }
        if let last = lastFailure {
            page += "<p>Last failure: \(HTMLText.escape(last.event)) of \(HTMLText.escape(last.username))"
                + " at \(UTCTime.format(last.lastFailedAt)): \(HTMLText.escape(last.lastError))</p>"
        }
        if !rows.isEmpty {
            page += "<table><tr><th>User</th><th>Event</th><th>Delivered</th><th>Failed</th></tr>"
            for row in rows {
                page += "<tr><td>\(HTMLText.escape(row.username))</td><td>\(HTMLText.escape(row.event))</td>"
                    + "<td>\(row.delivered)</td><td>\(row.failed)</td></tr>"
            }
            page += "</table>"
        }
        return page + "</body></html>\n"
    }
}
