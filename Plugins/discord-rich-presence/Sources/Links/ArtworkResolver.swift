import NavidromePDK

/// Finds album art Discord can show and turns it into an `mp:` key through Discord's
/// external-assets endpoint. Sources, in order: Cover Art Archive (`caaenabled`, and always for
/// tracks the server does not know, which have no id), an uguu.se upload of the server's cover
/// (`uguuenabled`), the host's public artwork URL; then the default image. Every lookup is cached.
struct ArtworkResolver {
    /// Navidrome's logo: the default image beside Navidrome.
    static var navidromeLogoURL: String { "https://raw.githubusercontent.com/navidrome/website/refs/heads/master/assets/icons/logo.webp" }
    static var pauseIconURL: String { "https://raw.githubusercontent.com/navidrome/discord-rich-presence-plugin/800bfacfb8e85c33692373b10ddbd27388f262d2/assets/pause.png" }
    static var coverArtArchiveURL: String { "https://coverartarchive.org" }
    static var uguuUploadURL: String { "https://uguu.se/upload" }

    let host: PluginHost
    let user: DiscordUser
    let settings: PluginSettings

    /// `mp:` key for the track's large image (`defaultImage` when none resolves or the track is
    /// `hidden`), or `nil`: Discord then shows the application's icon.
    func largeImage(for track: TrackSummary, hidden: Bool, defaultImage: String?) -> String? {
        if !hidden, let url = trackImageURL(track), let key = assetKey(url, ttlSeconds: 4 * 3600) {
            return key
        }
        return defaultImage.flatMap { assetKey($0, ttlSeconds: 48 * 3600) }
    }

    /// `mp:` key of the pause badge.
    func pauseIcon() -> String? {
        assetKey(Self.pauseIconURL, ttlSeconds: 48 * 3600)
    }

    func trackImageURL(_ track: TrackSummary) -> String? {
        if settings.coverArtArchive || track.id.isEmpty, let url = coverArtArchive(release: track.releaseMBID, group: track.releaseGroupMBID) {
            return url
        }
        if settings.uguuUpload, let url = uguuUpload(trackID: track.id) {
            return url
        }
        guard !track.id.isEmpty, let url = host.trackArtworkURL(trackID: track.id, size: 300), !url.isEmpty else { return nil }
        if Self.isPrivate(url) {
            host.log(.debug, "Artwork URL is not public (set Navidrome's BaseURL, or enable caaenabled/uguuenabled); using the default image")
            return nil
        }
        return url
    }

    /// A URL Discord could never fetch: localhost or a loopback address.
    static func isPrivate(_ url: String) -> Bool {
        for prefix in ["http://localhost", "https://localhost", "http://127.", "https://127.", "http://[::1]", "https://[::1]"]
            where ActivityText.hasPrefix(url, prefix) {
            return true
        }
        return false
    }

    // MARK: Discord external assets

    /// The `mp:` key Discord gives `url` (cached per application and URL).
    func assetKey(_ url: String, ttlSeconds: Int64) -> String? {
        if ActivityText.hasPrefix(url, "mp:") { return url }
        guard ActivityText.limitedURL(url) != nil else { return nil }
        let cacheKey = "discord.image." + ActivityText.hashKey(settings.clientID + " " + url)
        if let cached = host.cacheString(cacheKey), !cached.isEmpty { return cached }
        let backoffKey = "discord.\(user.username).assets_backoff"
        if let until = host.cacheInt(backoffKey), until > host.nowMs() { return nil }

        let body = JSONValue.object(JSONObject([("urls", .array([.string(url)]))])).serialized()
        let request = HTTPRequest(
            method: "POST",
            url: "\(settings.apiBaseURL)/v9/applications/\(settings.clientID)/external-assets",
            headers: [("Authorization", user.token), ("Content-Type", "application/json")],
            body: body)
        let response: HTTPResponse
        switch host.httpSend(request) {
        case .failed(let error):
            host.log(.warn, "Discord external-assets request failed: \(error)")
            return nil
        case .response(let r):
            response = r
        }
        switch response.statusCode {
        case 200..<300:
            break
        case 429:
            let retry = (try? JSONValue.parse(response.body))?["retry_after"]?.doubleValue ?? 5
            host.setCacheInt(backoffKey, host.nowMs() + Int64(retry * 1000) + 1, ttlSeconds: 3600)
            host.log(.warn, "Discord rate-limited image registration; retrying after \(Int(retry) + 1) s")
            return nil
        case 401, 403:
            // Repeated invalid requests get the IP banned: pause image registration.
            host.setCacheInt(backoffKey, host.nowMs() + 10 * 60_000, ttlSeconds: 3600)
            host.log(.error, "Discord rejected the token of \(user.username) for image registration (HTTP \(response.statusCode))")
            return nil
        default:
            host.log(.warn, "Discord external-assets answered HTTP \(response.statusCode)")
            return nil
        }
        guard let parsed = try? JSONValue.parse(response.body), let first = parsed.arrayValue?.first,
              let path = first["external_asset_path"]?.stringValue, !path.isEmpty else {
            host.log(.warn, "Discord external-assets answer has no external_asset_path")
            return nil
        }
        let key = "mp:" + path
        host.setCacheString(cacheKey, key, ttlSeconds: ttlSeconds)
        return key
    }

    // MARK: Cover Art Archive

    /// The archive's image for the release, else the release group (hits cached 24 h,
    /// definitive misses 4 h, transient failures not at all).
    func coverArtArchive(release: String, group: String) -> String? {
        if release.isEmpty && group.isEmpty { return nil }
        let cacheKey = release.isEmpty ? "caa.rg." + group : "caa.release." + release
        if let cached = host.cacheString(cacheKey) { return cached.isEmpty ? nil : cached }
        var definitive = false
        var found: String?
        if !release.isEmpty {
            (found, definitive) = headCoverArt("\(Self.coverArtArchiveURL)/release/\(ActivityText.percentEncoded(release))/front-500")
        }
        if found == nil && !group.isEmpty {
            (found, definitive) = headCoverArt("\(Self.coverArtArchiveURL)/release-group/\(ActivityText.percentEncoded(group))/front-500")
        }
        if let found {
            host.setCacheString(cacheKey, found, ttlSeconds: 24 * 3600)
        } else if definitive {
            host.setCacheString(cacheKey, "", ttlSeconds: 4 * 3600)
        }
        return found
    }

    /// HEAD without following redirects: 307 + Location is the image; 404 a definitive miss.
    func headCoverArt(_ url: String) -> (String?, Bool) {
        guard case .response(let r) = host.httpSend(HTTPRequest(method: "HEAD", url: url, noFollowRedirects: true, timeoutMs: 4000)) else {
            return (nil, false)
        }
        if r.statusCode == 404 { return (nil, true) }
        guard r.statusCode >= 300 && r.statusCode < 400, let location = r.header("Location"), !location.isEmpty else { return (nil, false) }
        return (location, true)
    }

    // MARK: uguu.se

    /// Uploads the server's cover of the track to uguu.se (kept 3 h there; cached 2.5 h here).
    func uguuUpload(trackID: String) -> String? {
        guard !trackID.isEmpty else { return nil }
        let cacheKey = "uguu.artwork." + trackID
        if let cached = host.cacheString(cacheKey), !cached.isEmpty { return cached }
        let uri = "/getCoverArt?u=\(ActivityText.percentEncoded(user.username))&id=\(ActivityText.percentEncoded(trackID))&size=300"
        guard case .data(let contentType, let image) = host.subsonicRaw(uri: uri), !image.isEmpty else {
            host.log(.warn, "Could not read the cover of track \(trackID) for the uguu.se upload")
            return nil
        }
        let boundary = "----TonearmCoverArt"
        var body: [UInt8] = []
        body.append(contentsOf: "--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"cover.jpg\"\r\nContent-Type: \(contentType.isEmpty ? "image/jpeg" : contentType)\r\n\r\n".utf8)
        body.append(contentsOf: image)
        body.append(contentsOf: "\r\n--\(boundary)--\r\n".utf8)
        let request = HTTPRequest(method: "POST", url: Self.uguuUploadURL,
                                  headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
        guard case .response(let r) = host.httpSend(request), r.statusCode < 400,
              let parsed = try? JSONValue.parse(r.body), parsed["success"]?.boolValue == true,
              let url = parsed["files"]?.arrayValue?.first?["url"]?.stringValue, !url.isEmpty else {
            host.log(.warn, "uguu.se upload of the cover of track \(trackID) failed")
            return nil
        }
        host.setCacheString(cacheKey, url, ttlSeconds: 150 * 60)
        return url
    }
}
