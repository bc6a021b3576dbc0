import NavidromePDK

/// GETs JSON documents from the agent's sources through Navidrome's HTTP service, with a
/// descriptive User-Agent, and keeps the answers in Navidrome's cache service so that the
/// several exports Navidrome calls for one artist or album ask MusicBrainz once.
///
/// 200 is a document, 404 (and 400, MusicBrainz's answer to a malformed MBID) is "nothing
/// there" (`nil`); anything else, or a network failure, is an error naming the source.
struct WebClient {
    /// Every request's time limit.
    static let timeoutMs: Int32 = 10_000

    let settings: AgentSettings

    /// The body of `url`, or nil when `source` has nothing there.
    func get(_ url: String, source: String) throws(PluginError) -> [UInt8]? {
        let key = "http:" + url
        if let cached = readCache(key) { return cached.first == 1 ? Array(cached.dropFirst()) : nil }
        let request = HTTPRequest(method: "GET", url: url,
                                  headers: [(key: "User-Agent", value: settings.userAgent), (key: "Accept", value: "application/json")],
                                  timeoutMs: Self.timeoutMs)
        let response: HTTPResponse
        do {
            response = try HTTPService.send(request: request)
        } catch {
            throw PluginError(source + " request failed: " + error.text)
        }
        switch response.statusCode {
        case 200:
            writeCache(key, [1] + response.body)
            return response.body
        case 400, 404:
            writeCache(key, [0])
            return nil
        default:
            throw PluginError(source + " answered HTTP \(response.statusCode) for GET " + url)
        }
    }

    /// The cached entry for `key`: a marker byte (1 found, 0 not found) and the body.
    private func readCache(_ key: String) -> [UInt8]? {
        guard settings.cacheSeconds > 0 else { return nil }
        do {
            guard let bytes = try CacheService.getBytes(key: key), !bytes.isEmpty else { return nil }
            return bytes
        } catch {
            Log.warn("cache unavailable: " + error.text)
            return nil
        }
    }

    private func writeCache(_ key: String, _ value: [UInt8]) {
        guard settings.cacheSeconds > 0 else { return }
        do {
            try CacheService.setBytes(key: key, value: value, ttlSeconds: settings.cacheSeconds)
        } catch {
            Log.warn("cache unavailable: " + error.text)
        }
    }
}

/// Parses a fetched document, turning a JSON error into a `PluginError` naming the source.
func decodeDocument<T: JSONDecodable>(_ type: T.Type, _ body: [UInt8], source: String) throws(PluginError) -> T {
    do {
        return try T.decode(json: body)
    } catch {
        throw PluginError(source + " sent an unreadable answer: " + error.message)
    }
}
