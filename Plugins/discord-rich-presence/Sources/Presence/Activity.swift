import NavidromePDK

/// A Discord "Listening to" activity (type 2) as sent in a Presence Update. Text fields are cut
/// to Discord's limits and over-long or non-http URLs are left out when it is encoded.
struct Activity {
    var name: String
    var applicationID: String
    /// Which field the member list shows: 0 name, 1 state, 2 details.
    var statusDisplayType: Int
    var details: String
    var detailsURL: String?
    var state: String?
    var stateURL: String?
    /// Unix milliseconds.
    var start: Int64
    /// Unix milliseconds; `nil` shows an elapsed counter instead of a progress bar.
    var end: Int64?
    /// `mp:` key of the album art.
    var largeImage: String?
    var largeText: String?
    var largeURL: String?
    /// `mp:` key of the small badge (the pause icon, or the logo overlay).
    var smallImage: String?
    var smallText: String?

    init(name: String, applicationID: String, statusDisplayType: Int, details: String, start: Int64) {
        self.name = name
        self.applicationID = applicationID
        self.statusDisplayType = statusDisplayType
        self.details = details
        self.start = start
    }

    /// The activity object, ready for `activities` in op 3.
    func json() -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(Self.text(name) ?? MusicServer.fallbackName)
        object["type"] = .int(2)
        object["application_id"] = .string(applicationID)
        object["status_display_type"] = .int(Int64(statusDisplayType))
        object["details"] = .string(Self.text(details) ?? "Music")
        if let url = detailsURL.flatMap(ActivityText.limitedURL) { object["details_url"] = .string(url) }
        if let text = state.flatMap(Self.text) { object["state"] = .string(text) }
        if let url = stateURL.flatMap(ActivityText.limitedURL) { object["state_url"] = .string(url) }
        var timestamps = JSONObject()
        timestamps["start"] = .int(start)
        if let end { timestamps["end"] = .int(end) }
        object["timestamps"] = .object(timestamps)
        var assets = JSONObject()
        if let largeImage, !largeImage.isEmpty {
            assets["large_image"] = .string(largeImage)
            // RPC validators reject a 1-character hover text; leave such text out.
            if let text = largeText.flatMap(Self.text), text.utf8.count >= 2 { assets["large_text"] = .string(text) }
            if let url = largeURL.flatMap(ActivityText.limitedURL) { assets["large_url"] = .string(url) }
            if let smallImage, !smallImage.isEmpty {
                assets["small_image"] = .string(smallImage)
                if let text = smallText.flatMap(Self.text) { assets["small_text"] = .string(text) }
            }
        }
        if !assets.isEmpty { object["assets"] = .object(assets) }
        return .object(object)
    }

    /// Trimmed text cut to 128 UTF-16 units, or `nil` when empty.
    static func text(_ value: String) -> String? {
        let trimmed = ActivityText.trimmed(value)
        return trimmed.isEmpty ? nil : ActivityText.truncated(trimmed)
    }
}
