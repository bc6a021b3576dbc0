import NavidromePDK

/// POSTs an event to the webhook, counts the outcome (``DeliveryStats``) and turns a failure
/// into the Scrobbler error Navidrome acts on.
///
/// - 2xx: delivered.
/// - Network errors, timeouts, 401, 403, 404, 408, 429, 5xx and unfollowed redirects:
///   `scrobbler(retry_later)`: the receiver or its configuration may come back, and Navidrome
///   keeps a scrobble buffered meanwhile.
/// - Any other 4xx: `scrobbler(unrecoverable)`: the receiver rejected this event itself, and
///   retrying it would block the user's queue for good.
struct WebhookDelivery {
    /// Per-request timeout: Navidrome's default for `http_send`, well inside a call's 30 s.
    static let timeoutMs: Int32 = 10_000
    static let userAgent = "Tonearm-webhook-relay/1.0.0"

    var settings: RelaySettings

    func deliver(_ event: WebhookEvent) throws(PluginError) {
        guard !settings.url.utf8.isEmpty else {
            throw .scrobbler(.retryLater, "no webhook URL configured")
        }
        let now = try Clock.unixSeconds()
        var headers: [(key: String, value: String)] = [
            (key: "Content-Type", value: "application/json"),
            (key: "User-Agent", value: Self.userAgent),
        ]
        if !settings.secret.utf8.isEmpty {
            headers.append((key: settings.secretHeader, value: settings.secret))
        }
        let request = HTTPRequest(method: "POST", url: settings.url, headers: headers, body: event.body, timeoutMs: Self.timeoutMs)
        let response: HTTPResponse
        do {
            response = try HTTPService.send(request: request)
        } catch {
            let reason = "webhook \(settings.redactedURL) unreachable: " + settings.redact(error.message)
            fail(event, at: now, reason: reason)
            throw .scrobbler(.retryLater, reason)
        }
        let status = response.statusCode
        if status >= 200 && status < 300 {
            DeliveryStats.record(event: event.kind, username: event.username, at: now, status: status, error: nil)
            Log.debug("\(event.kind) of \(event.username) delivered to \(settings.redactedURL) (HTTP \(status))")
            return
        }
        let reason = "webhook \(settings.redactedURL) answered HTTP \(status)"
        fail(event, at: now, status: status, reason: reason)
        throw Self.retryable(status) ? .scrobbler(.retryLater, reason) : .scrobbler(.unrecoverable, reason)
    }

    /// Whether a non-2xx status is worth retrying (see the type's documentation).
    static func retryable(_ status: Int32) -> Bool {
        switch status {
        case 401, 403, 404, 408, 429: return true
        case 400..<500: return false
        default: return true
        }
    }

    private func fail(_ event: WebhookEvent, at now: Int64, status: Int32 = 0, reason: String) {
        DeliveryStats.record(event: event.kind, username: event.username, at: now, status: status, error: reason)
        Log.warn("\(event.kind) of \(event.username) not delivered: \(reason)")
    }
}
