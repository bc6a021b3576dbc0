import TonearmJSON

/// `POST /api/v9/applications/{id}/external-assets` as DISCORD.md §3 and §5 describe it.
enum ExternalAssets {
    /// An HTTP answer: status, JSON body and extra headers.
    struct Reply: Equatable {
        var status: Int
        var body: JSONValue
        var headers: [(String, String)] = []

        static func == (lhs: Reply, rhs: Reply) -> Bool {
            lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: ==)
        }
    }

    static let unauthorized = Reply(status: 401, body: ["message": "401: Unauthorized", "code": 0])

    /// The reply for a request whose token is known, given the application id and the raw body.
    static func reply(applicationID: String, body: [UInt8]) -> Reply {
        guard PresenceValidation.isSnowflake(applicationID) else {
            return Reply(status: 404, body: ["message": "Unknown Application", "code": 10002])
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(body)
        } catch {
            return Reply(status: 400, body: ["message": "400: Bad Request", "code": 50109, "detail": .string(error.description)])
        }
        guard let urls = parsed["urls"]?.arrayValue else { return invalidForm("urls must be an array of strings") }
        guard (1...2).contains(urls.count) else { return invalidForm("urls must hold 1 or 2 URLs, got \(urls.count)") }
        var items: [JSONValue] = []
        for value in urls {
            guard let url = value.stringValue else { return invalidForm("urls must be strings") }
            guard url.utf16.count <= 256 else { return invalidForm("URL is longer than 256 characters") }
            guard let parts = split(url) else { return invalidForm("\(url) is not an http(s) URL") }
            let path = "external/\(signature(applicationID: applicationID, url: url))/\(parts.scheme)/\(parts.rest)"
            items.append(["url": .string(url), "external_asset_path": .string(path)])
        }
        return Reply(status: 200, body: .array(items))
    }

    /// The reply for a scripted fault.
    static func reply(for fault: ExternalAssetsFault) -> Reply {
        switch fault {
        case .rateLimited(let retryAfter, let global):
            let header = String(Int(retryAfter.rounded(.up)))
            return Reply(
                status: 429,
                body: ["message": "You are being rate limited.", "retry_after": .number(retryAfter), "global": .bool(global)],
                headers: [("Retry-After", header), ("X-RateLimit-Global", global ? "true" : "false")])
        case .serverError:
            return Reply(status: 500, body: ["message": "500: Internal Server Error", "code": 0])
        }
    }

    static func invalidForm(_ message: String) -> Reply {
        Reply(
            status: 400,
            body: [
                "message": "Invalid Form Body", "code": 50035,
                "errors": ["urls": ["_errors": [["code": "BASE_TYPE_BAD_URL", "message": .string(message)]]]],
            ])
    }

    /// `https://host/a/b?q` → ("https", "host/a/b?q"); nil unless http(s) with a host.
    static func split(_ url: String) -> (scheme: String, rest: String)? {
        for scheme in ["https", "http"] {
            let prefix = scheme + "://"
            guard url.hasPrefix(prefix) else { continue }
            let rest = String(url.dropFirst(prefix.count))
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            guard !host.isEmpty, !host.contains(where: { $0.isWhitespace }) else { return nil }
            return (scheme, String(rest.flatMap { $0 == "?" ? Array("%3F") : [$0] }))
        }
        return nil
    }

    /// A 43-character base64url signature, stable per application and URL (like Discord's).
    static func signature(applicationID: String, url: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var lanes: [UInt64] = [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f]
        for byte in (applicationID + "\n" + url).utf8 {
            for lane in lanes.indices {
                lanes[lane] = (lanes[lane] ^ UInt64(byte)) &* 0x100_0000_01b3 &+ UInt64(lane)
            }
        }
        var output = ""
        var index = 0
        while output.count < 43 {
            let lane = lanes[index % 4]
            output.append(alphabet[Int((lane >> UInt64((index / 4) * 6 % 60)) & 63)])
            index += 1
        }
        return output
    }
}
