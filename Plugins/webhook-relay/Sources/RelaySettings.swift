import NavidromePDK

/// The plugin configuration, read on every call (Navidrome fills in no schema defaults).
struct RelaySettings {
    /// Header carrying the secret when `secretHeader` is not set.
    static let defaultSecretHeader = "X-Webhook-Secret"

    /// Where events are POSTed; empty when not configured.
    var url: String
    /// Sent in ``secretHeader`` when not empty. Never logged, stored or shown.
    var secret: String
    var secretHeader: String
    /// Whether now-playing updates are relayed too.
    var relayNowPlaying: Bool

    static func load() -> RelaySettings {
        var header = Extism.config("secretHeader") ?? ""
        if header.utf8.isEmpty { header = defaultSecretHeader }
        return RelaySettings(
            url: Extism.config("url") ?? "",
            secret: Extism.config("secret") ?? "",
            secretHeader: header,
            relayNowPlaying: (Extism.config("nowPlaying") ?? "").hasSameUTF8(as: "true"))
    }

    /// The URL without what may be secret in it (user info, path, query): `scheme://host[:port]`,
    /// plus `/…` when something was left out. Webhook URLs often carry a token in the path.
    var redactedURL: String {
        let bytes = Array(url.utf8)
        guard let schemeEnd = Text.find(Array("://".utf8), in: bytes) else { return url.utf8.isEmpty ? "" : "…" }
        var start = schemeEnd + 3
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") {
            if bytes[end] == UInt8(ascii: "@") { start = end + 1 }
            end += 1
        }
        var shown = Array(bytes[0..<schemeEnd + 3]) + Array(bytes[start..<end])
        if start > schemeEnd + 3 || end < bytes.count { shown += Array("/…".utf8) }
        return String(decoding: shown, as: UTF8.self)
    }

    /// `text` (e.g. a host error quoting the request URL) with the URL and the secret masked.
    func redact(_ text: String) -> String {
        var result = text
        if !url.utf8.isEmpty { result = Text.replacing(url, with: redactedURL, in: result) }
        if !secret.utf8.isEmpty { result = Text.replacing(secret, with: "[secret]", in: result) }
        return result
    }
}
