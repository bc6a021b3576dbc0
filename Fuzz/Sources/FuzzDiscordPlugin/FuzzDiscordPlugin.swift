// libFuzzer target: what the Discord Rich Presence plugin (`Plugins/discord-rich-presence`)
// reads from outside, run natively against the PDK's in-memory host (`NavidromePDKTesting`):
// gateway frames through its real WebSocket export, its configuration, and the text helpers
// that shape what Discord shows.
//
// Input: a mode name on the first line, then the mode's text. An unknown name picks a mode by
// its first byte, so mutations stay useful.
// - `frames`: a fixed valid configuration; alice's NowPlaying opens her gateway connection, then
//   each line is a text frame delivered on it (a line starting with `>` goes to bob's
//   connection instead), or a step: `@np` (NowPlaying again), `@play`, `@pause`, `@stop`
//   (PlaybackReports), `@hb` (the heartbeat schedule fires), `@fire` (every schedule fires),
//   `@adv` (30 s pass), `@close <code>`, `@error <text>` (the connection ends).
// - `config`: `key=value` lines (`\n` in a value is a newline): plugin settings, or, with a
//   `track.` prefix, the played track (`title`, `artist`, `album`, `albumartist`, `id`,
//   `recording`, `release`, `releasegroup`, `artistmbid`, `library`, `duration`), `player`,
//   `state` (PlaybackReport state) and `user` (who plays). Loaded by `PluginSettings.load`, then
//   played through the exports with a full handshake.
// - `text`: one string for `ActivityText` (`truncated`, `trimmed`, `split`, `percentEncoded`…)
//   and for the readers of what the plugin stores (`StoredFields`, sessions, presences,
//   schedule payloads, stored configurations); a first byte below 0x20 also sets a smaller
//   `maxUnits`.
// - `glob`: a pattern line, then the text: `PrivacyFilter.glob` against a reference matcher.
// - `template`: a template line, then the track's title, artist, album, album artist, player
//   and year, one a line: `ActivityTemplate.fill` against a reference.
//
// Invariants:
// - every frame the plugin sends is a JSON object with op 1 (heartbeat, `d` a number or null),
//   2 or 6 (carrying the configured token), or 3 (at most one activity, of type 2, its texts
//   non-empty and at most 128 UTF-16 units, its URLs http(s) and at most 256 bytes);
// - a token never appears in a log line, an HTTP request's URL, a gateway URL or a
//   configuration error;
// - a track a privacy filter clears is never shown; one it makes generic shows only
//   "Listening to music";
// - settings that load are well formed (client id, users, URLs, pause timeout), and loading
//   for one user finds that user with the same token;
// - stored fields that parse lie in order inside the text, each after its length, covering it,
//   and a stored configuration that reads writes back the same text;
// - `truncated` returns the text itself when it fits, else a prefix cut between characters
//   followed by "…", at most `maxUnits` UTF-16 units in all;
// - `glob` and `fill` agree with straightforward reference implementations.

import Foundation
import LibFuzzer
import NavidromePDK
import NavidromePDKTesting

@testable import DiscordRichPresence

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

private let modes = ["frames", "config", "text", "glob", "template"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
    let name = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = String(decoding: bytes[min(newline + 1, bytes.count)...], as: UTF8.self)
    let mode = modes.contains(name) ? name : modes[Int(bytes.first ?? 0) % modes.count]
    switch mode {
    case "frames": fuzzFrames(body)
    case "config": fuzzConfig(body)
    case "text": fuzzText(body)
    case "glob": fuzzGlob(body)
    default: fuzzTemplate(body)
    }
    return 0
}

// MARK: Gateway frames

private let clientID = "123456789012345678"
private let aliceToken = "fuzz-token-alice-7Qx2"
private let bobToken = "fuzz-token-bob-9Wk4"
private let assetsURL = "https://discord.com/api/v9/applications/\(clientID)/external-assets"
private let serverAnswer: String = {
    var answer = JSONObject()
    answer["responseJson"] = .string(#"{"subsonic-response":{"status":"ok","type":"navidrome","serverVersion":"0.58.0","song":{"year":1959}}}"#)
    return JSONValue.object(answer).serializedString()
}()
private var fixedTrack: TrackInfo {
    TrackInfo(
        id: "t1", title: "Song", album: "Album", artist: "Artist", albumArtist: "Various",
        artists: [ArtistRef(name: "Artist", mbid: "561d854a-6a28-4aa7-8c99-323e6ce46c2a")], duration: 215.5,
        mbzRecordingId: "5b11f4ce-a62d-471e-81fc-a69a8278c7da", mbzAlbumId: "8e8a594f-2175-4d39-a0f8-e8a2b6c5d0b2", libraryId: 2)
}

private func makeHost(config: [String: String]) -> TestHost {
    let host = TestHost()
    host.config = config
    host.unixMilliseconds = 1_700_000_000_000
    host.http.respond("POST", assetsURL, body: #"[{"external_asset_path":"external/art"}]"#)
    host.answer("subsonicapi_call", with: serverAnswer)
    return host
}

private func report(_ host: TestHost, _ user: String, _ track: TrackInfo, state: String, player: String = "Feishin") {
    host.call(DiscordPlugin.ndScrobblerPlaybackReport, PlaybackReportRequest(
        username: user, track: track, state: state, positionMs: 1000, playbackRate: 1,
        playerId: "p1", playerName: player, timestamp: host.unixMilliseconds / 1000))
}

private func fireAll(_ host: TestHost) {
    for id in host.scheduler.schedules.map(\.id) {
        host.scheduler.fire(id, to: DiscordPlugin.ndSchedulerCallback)
    }
}

private func fuzzFrames(_ body: String) {
    let host = makeHost(config: ["clientid": clientID, "users": "alice:\(aliceToken),bob:\(bobToken)"])
    host.call(DiscordPlugin.ndScrobblerNowPlaying, NowPlayingRequest(username: "alice", track: fixedTrack, position: 42))
    for line in body.split(separator: "\n", omittingEmptySubsequences: false).prefix(64) {
        let text = String(line)
        if text.utf8.first == UInt8(ascii: ">") {
            host.websocket.deliver(text: String(text.dropFirst()), on: "bob", to: DiscordPlugin.ndWebsocketOnTextMessage)
            continue
        }
        guard text.utf8.first == UInt8(ascii: "@") else {
            host.websocket.deliver(text: text, on: "alice", to: DiscordPlugin.ndWebsocketOnTextMessage)
            continue
        }
        let words = text.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
        let argument = words.count > 1 ? words[1] : ""
        switch words.first ?? "" {
        case "np":
            host.call(DiscordPlugin.ndScrobblerNowPlaying, NowPlayingRequest(username: "alice", track: fixedTrack, position: 0))
        case "play": report(host, "alice", fixedTrack, state: "playing")
        case "pause": report(host, "alice", fixedTrack, state: "paused")
        case "stop": report(host, "alice", fixedTrack, state: "stopped")
        case "hb": host.scheduler.fire("alice-heartbeat", to: DiscordPlugin.ndSchedulerCallback)
        case "fire": fireAll(host)
        case "adv": host.advance(seconds: 30)
        case "close":
            host.websocket.closeFromServer("alice", code: Int32(argument) ?? 1000, reason: "fuzz",
                                           to: DiscordPlugin.ndWebsocketOnClose)
        case "error":
            host.call(DiscordPlugin.ndWebsocketOnError, OnErrorRequest(connectionId: "alice", error: argument))
        default:
            host.websocket.deliver(text: text, on: "alice", to: DiscordPlugin.ndWebsocketOnTextMessage)
        }
    }
    checkSentFrames(host, tokens: ["alice": aliceToken, "bob": bobToken])
    checkSecrets(host, [aliceToken, bobToken])
}

/// Every frame sent is one the gateway accepts; Identify and Resume carry the connection's token.
private func checkSentFrames(_ host: TestHost, tokens: [String: String]) {
    for frame in host.websocket.sent {
        guard let text = frame.text else { fail("binary frame sent on \(frame.connectionId)") }
        guard let value = try? JSONValue.parse(text), value.objectValue != nil, let op = value["op"]?.int64Value else {
            fail("sent frame is not a JSON object with an op: \(text)")
        }
        let d = value["d"]
        switch op {
        case 1:
            require(d == nil || d?.isNull == true || d?.int64Value != nil, "heartbeat d is neither a number nor null: \(text)")
        case 2, 6:
            if let token = tokens[frame.connectionId] {
                require(d?["token"]?.stringValue == token, "op \(op) on \(frame.connectionId) does not carry its token")
            }
        case 3:
            guard let activities = d?["activities"]?.arrayValue else { fail("op 3 without activities: \(text)") }
            require(activities.count <= 1, "op 3 with \(activities.count) activities")
            let status = d?["status"]?.stringValue ?? ""
            require(["online", "idle", "dnd", "invisible"].contains(status), "op 3 status \(status)")
            for activity in activities { checkActivity(activity, text) }
        default:
            fail("sent frame with op \(op): \(text)")
        }
    }
}

private func checkActivity(_ activity: JSONValue, _ frame: String) {
    require(activity["type"]?.int64Value == 2, "activity type is not 2: \(frame)")
    for key in ["name", "details"] {
        require(activity[key]?.stringValue != nil, "activity without \(key): \(frame)")
    }
    func text(_ value: JSONValue?, _ key: String) {
        guard let value else { return }
        guard let string = value.stringValue else { fail("activity \(key) is not a string: \(frame)") }
        require(!string.isEmpty, "activity \(key) is empty: \(frame)")
        require(string.utf16.count <= ActivityText.maxTextUnits, "activity \(key) has \(string.utf16.count) UTF-16 units: \(frame)")
    }
    func url(_ value: JSONValue?, _ key: String) {
        guard let value else { return }
        guard let string = value.stringValue else { fail("activity \(key) is not a string: \(frame)") }
        require(string.utf8.count <= ActivityText.maxURLLength, "activity \(key) is \(string.utf8.count) bytes: \(frame)")
        require(string.hasPrefix("https://") || string.hasPrefix("http://"), "activity \(key) is not http(s): \(frame)")
    }
    for key in ["name", "details", "state"] { text(activity[key], key) }
    for key in ["details_url", "state_url"] { url(activity[key], key) }
    let assets = activity["assets"]
    for key in ["large_text", "small_text"] { text(assets?[key], "assets." + key) }
    url(assets?["large_url"], "assets.large_url")
}

/// No token in a log line, an HTTP URL or header other than Authorization, or a gateway URL.
private func checkSecrets(_ host: TestHost, _ tokens: [String]) {
    for token in tokens where !token.isEmpty {
        for entry in host.logs where entry.message.contains(token) {
            fail("a token is logged: \(entry.message)")
        }
        for request in host.http.requests where request.url.contains(token) {
            fail("a token is in an HTTP URL: \(request.url)")
        }
        for connect in host.websocket.connects where connect.url.contains(token) {
            fail("a token is in a gateway URL: \(connect.url)")
        }
    }
}

// MARK: Configuration

private func fuzzConfig(_ body: String) {
    var config: [String: String] = [:]
    var fields: [String: String] = [:]
    for line in body.split(separator: "\n").prefix(64) {
        guard let equals = line.firstIndex(of: "=") else { continue }
        let key = String(line[..<equals])
        let value = String(line[line.index(after: equals)...]).replacingOccurrences(of: "\\n", with: "\n")
        if key.hasPrefix("track.") || key == "player" || key == "state" || key == "user" {
            fields[key] = value
        } else {
            config[key] = value
        }
    }
    if config["clientid"] == nil { config["clientid"] = clientID }
    if config["users"] == nil { config["users"] = "alice:\(aliceToken)" }
    let lookup: (String) -> String? = { config[$0] }

    let settings: PluginSettings
    do {
        settings = try PluginSettings.load(lookup)
    } catch {
        for token in candidateTokens(config) where error.message.contains(token) {
            fail("a configuration error names a token: \(error.message)")
        }
        return
    }
    checkSettings(settings, lookup)

    let artistMBID = fields["track.artistmbid"] ?? ""
    let track = TrackInfo(
        id: fields["track.id"] ?? "t1", title: fields["track.title"] ?? "Song", album: fields["track.album"] ?? "Album",
        artist: fields["track.artist"] ?? "Artist", albumArtist: fields["track.albumartist"] ?? "",
        artists: artistMBID.isEmpty ? [] : [ArtistRef(name: fields["track.artist"] ?? "Artist", mbid: artistMBID)],
        duration: Double(fields["track.duration"] ?? "") ?? 215.5,
        mbzRecordingId: fields["track.recording"] ?? "", mbzAlbumId: fields["track.release"] ?? "",
        mbzReleaseGroupId: fields["track.releasegroup"] ?? "", libraryId: Int32(fields["track.library"] ?? "") ?? 0)
    let username = fields["user"] ?? settings.users.first?.username ?? "alice"
    let player = fields["player"] ?? "Feishin"
    let state = fields["state"] ?? "playing"

    let host = makeHost(config: config)
    host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: username))
    if state == "nowplaying" {
        host.call(DiscordPlugin.ndScrobblerNowPlaying, NowPlayingRequest(username: username, track: track, position: 10))
    } else {
        report(host, username, track, state: state, player: player)
    }
    if let user = settings.user(named: username), host.websocket.connects.contains(where: { $0.id == user.username }) {
        host.websocket.deliver(text: #"{"op":10,"d":{"heartbeat_interval":41250}}"#, on: user.username,
                               to: DiscordPlugin.ndWebsocketOnTextMessage)
        host.websocket.deliver(text: #"{"op":0,"t":"READY","s":1,"d":{"session_id":"s1","resume_gateway_url":"wss://resume.test","sessions":[]}}"#,
                               on: user.username, to: DiscordPlugin.ndWebsocketOnTextMessage)
        host.advance(seconds: 30)
        fireAll(host)
    }
    var tokens: [String: String] = [:]
    for user in settings.users { tokens[user.username] = user.token }
    checkSentFrames(host, tokens: tokens)
    var values = Array(config.values) + Array(fields.values)
    values.append(username)
    checkSecrets(host, candidateTokens(config).filter { token in
        // Only tokens that are secret-like and appear nowhere but in their own entry.
        !values.contains { $0 != config["users"] && $0.contains(token) }
            && !settings.users.contains { $0.username.contains(token) }
    })

    // What a privacy filter hides never reaches Discord.
    guard let user = settings.user(named: username) else { return }
    var summary = DiscordPlugin.summary(track)
    summary.playerName = player
    let shown = host.websocket.sentText(on: user.username).compactMap { text -> JSONValue? in
        guard let value = try? JSONValue.parse(text), value["op"]?.int64Value == 3 else { return nil }
        return value["d"]?["activities"]?.arrayValue?.first
    }
    switch settings.privacy(of: summary, for: user) {
    case .clear?:
        require(shown.isEmpty, "a track the privacy filter clears was shown: \(shown[0].serializedString())")
    case .generic?:
        for activity in shown {
            require(activity["details"]?.stringValue == "Listening to music" && activity["state"] == nil
                        && activity["details_url"] == nil && activity["state_url"] == nil,
                    "a track the privacy filter makes generic was shown: \(activity.serializedString())")
        }
    case nil:
        break
    }
}

private func checkSettings(_ settings: PluginSettings, _ lookup: (String) -> String?) {
    let id = settings.clientID.utf8
    require(id.count >= 17 && id.count <= 20 && id.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "client id \(settings.clientID)")
    require(!settings.users.isEmpty, "settings without users")
    for (index, user) in settings.users.enumerated() {
        require(!user.username.isEmpty && same(ActivityText.trimmed(user.username), user.username), "username '\(user.username)'")
        require(!user.token.isEmpty && same(ActivityText.trimmed(user.token), user.token), "token of \(user.username) is empty or untrimmed")
        for other in settings.users[..<index] where ActivityText.equalIgnoringASCIICase(other.username, user.username) {
            fail("user \(user.username) listed twice")
        }
    }
    require(settings.gatewayURL.hasPrefix("wss://") || settings.gatewayURL.hasPrefix("ws://"), "gateway URL \(settings.gatewayURL)")
    require(settings.apiBaseURL.hasPrefix("https://") || settings.apiBaseURL.hasPrefix("http://"), "API URL \(settings.apiBaseURL)")
    require(!settings.gatewayURL.hasSuffix("/") && !settings.apiBaseURL.hasSuffix("/"), "URL with a trailing slash")
    require(settings.pauseTimeoutSeconds >= 0, "pause timeout \(settings.pauseTimeoutSeconds)")
    for url in [settings.defaultImageURL, settings.overlayImageURL].compactMap({ $0 }) {
        require(ActivityText.limitedURL(url).map { same($0, url) } == true, "image URL \(url)")
    }
    if let name = settings.serverName {
        require(!name.isEmpty && name.utf16.count <= ActivityText.maxTextUnits, "server name \(name)")
    }
    // Loading for one user (as NowPlaying and PlaybackReport do) finds that user, same token.
    for user in settings.users.prefix(8) {
        guard let one = try? PluginSettings.load(lookup, onlyUser: user.username) else {
            fail("settings load but not for their user \(user.username)")
        }
        require(one.user(named: user.username).map { same($0.token, user.token) } == true, "loading for \(user.username) finds another token")
    }
}

/// Fixed texts the host and plugin put into URLs and log lines by themselves.
private let knownTexts = [assetsURL, serverAnswer, PluginSettings.defaultGatewayURL + "/?v=10&encoding=json",
                          PluginSettings.defaultAPIBaseURL, "https://navidrome.test/artwork/track/", "wss://resume.test",
                          "https://musicbrainz.org/", "https://listenbrainz.org/", "https://coverartarchive.org/",
                          "https://open.spotify.com/", "https://uguu.se/"].joined(separator: " ")

/// Token-like values of the `users` setting (at least 12 bytes with letters and digits, no
/// spaces, listed once, in no other setting and in no text the plugin writes by itself).
private func candidateTokens(_ config: [String: String]) -> [String] {
    guard let users = config["users"] else { return [] }
    var found: [String] = []
    let trimmed = ActivityText.trimmed(users)
    if trimmed.hasPrefix("[") {
        if let items = (try? JSONValue.parse(trimmed))?.arrayValue {
            found = items.compactMap { $0["token"]?.stringValue.map(ActivityText.trimmed) }
        }
    } else {
        found = trimmed.split(separator: ",").compactMap { entry in
            entry.firstIndex(of: ":").map { ActivityText.trimmed(String(entry[entry.index(after: $0)...])) }
        }
    }
    return found.filter { token in
        token.utf8.count >= 12 && !token.utf8.contains(UInt8(ascii: " ")) && !knownTexts.contains(token)
            && token.utf8.contains { $0 >= 0x30 && $0 <= 0x39 } && token.utf8.contains { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }
            && users.components(separatedBy: token).count == 2
            && !config.contains { $0.key != "users" && ($0.key.contains(token) || $0.value.contains(token)) }
    }
}

// MARK: Text helpers

private func fuzzText(_ body: String) {
    var text = body
    var maxUnits = ActivityText.maxTextUnits
    if let first = body.utf8.first, first < 0x20, first != 0x0A, first != 0x09, first != 0x0D {
        maxUnits = Int(first) * 4 + 1
        text = String(body.dropFirst())
    }
    checkTruncated(text, maxUnits: maxUnits)
    if maxUnits != ActivityText.maxTextUnits { checkTruncated(text, maxUnits: ActivityText.maxTextUnits) }
    if let shown = Activity.text(text) {
        require(shown.utf16.count <= ActivityText.maxTextUnits, "Activity.text is \(shown.utf16.count) units")
    }

    let trimmed = ActivityText.trimmed(text)
    require(text.utf8.count >= trimmed.utf8.count && ActivityText.contains(text, trimmed), "trimmed is not inside the text")
    if let first = trimmed.utf8.first, let last = trimmed.utf8.last {
        require(!ActivityText.isSpace(first) && !ActivityText.isSpace(last), "trimmed keeps spaces")
    }
    for piece in ActivityText.split(text, on: UInt8(ascii: ",")) {
        require(!piece.isEmpty && !piece.utf8.contains(UInt8(ascii: ",")) && ActivityText.trimmed(piece) == piece, "split piece '\(piece)'")
    }
    let lowered = ActivityText.asciiLowercased(text)
    require(lowered.utf8.count == text.utf8.count && ActivityText.equalIgnoringASCIICase(lowered, text), "asciiLowercased")
    let encoded = ActivityText.percentEncoded(text)
    require(encoded.utf8.allSatisfy { $0 < 0x80 } && same(encoded.removingPercentEncoding ?? "", text), "percentEncoded does not decode back")
    require(ActivityText.hashKey(text).utf8.count == 16, "hashKey length")
    if let url = ActivityText.limitedURL(text) {
        require(same(url, text) && url.utf8.count <= ActivityText.maxURLLength, "limitedURL")
    }
    _ = StatusDisplay(setting: text)
    _ = ActivityLinks(setting: text)
    _ = PluginSettings.parseSeconds(text)
    _ = PluginSettings.parseFlag(text)
    _ = CloseReason.code(inErrorText: text)
    checkStoredFields(text)
}

/// What the plugin reads back from the cache and schedule payloads: fields that parse lie in
/// order inside the text, each after its own length prefix, and cover all of it.
private func checkStoredFields(_ text: String) {
    let bytes = Array(text.utf8)
    if let ranges = StoredFields.ranges(bytes) {
        var end = 0
        for range in ranges {
            let prefix = String(range.count).utf8.count + 1
            require(range.lowerBound == end + prefix && range.upperBound <= bytes.count, "field \(range) after \(end)")
            end = range.upperBound
        }
        require(end == bytes.count, "fields end at \(end) of \(bytes.count)")
    }
    _ = GatewaySession(text: text)
    _ = PresenceRecord(text: text)
    _ = SchedulePayload(text: text)
    if var stored = UserConfiguration(text: text) {
        require(same(stored.text, text), "a stored configuration does not write back as read")
        _ = stored.value("users")
        _ = stored.value("clientid")
    }
}

private func checkTruncated(_ text: String, maxUnits: Int) {
    let cut = ActivityText.truncated(text, maxUnits: maxUnits)
    require(cut.utf16.count <= maxUnits, "truncated to \(maxUnits) gave \(cut.utf16.count) UTF-16 units")
    if text.utf16.count <= maxUnits {
        require(same(cut, text), "truncated changed a text that fits")
        return
    }
    guard cut.hasSuffix("…") else { fail("a cut text does not end in …") }
    let prefix = Array(cut.utf8.dropLast(3))
    require(text.utf8.starts(with: prefix), "truncated is not a prefix of the text plus …")
    // The cut falls between characters (the plugin's heuristic): not before a combining mark,
    // variation selector or modifier, not after a zero-width joiner, not inside a flag.
    let scalars = Array(text.unicodeScalars.map(\.value))
    let kept = String(decoding: prefix, as: UTF8.self).unicodeScalars.count
    guard kept > 0 else { return }
    require(kept < scalars.count, "the cut keeps every scalar")
    require(scalars[kept - 1] != 0x200D, "cut after a zero-width joiner")
    require(!ActivityText.extendsCharacter(scalars[kept]), "cut before U+\(String(scalars[kept], radix: 16))")
    if ActivityText.isRegionalIndicator(scalars[kept]) {
        let run = scalars[..<kept].reversed().prefix { ActivityText.isRegionalIndicator($0) }.count
        require(run % 2 == 0, "cut inside a flag")
    }
}

// MARK: Glob

private func fuzzGlob(_ body: String) {
    let parts = body.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let pattern = Array(String(parts[0]).utf8.prefix(64))
    let text = Array((parts.count > 1 ? String(parts[1]) : "").utf8.prefix(256))
    // Whole scalars only (the plugin globs Strings).
    guard let patternString = String(validating: pattern, as: UTF8.self),
          let textString = String(validating: text, as: UTF8.self) else { return }
    let matched = PrivacyFilter.glob(pattern, matches: text)
    let expected = referenceGlob(Array(patternString.unicodeScalars), Array(textString.unicodeScalars))
    require(matched == expected, "glob '\(patternString)' on '\(textString)': \(matched), reference \(expected)")
    // A rule list containing the pattern behaves the same (after trimming), and never crashes.
    _ = PrivacyFilter.anyMatches(PrivacyFilter.rules(patternString), textString)
}

/// `*` any run of scalars, `?` one scalar, anything else itself with ASCII letters folded.
private func referenceGlob(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
    func fold(_ s: Unicode.Scalar) -> UInt32 { s.value >= 0x41 && s.value <= 0x5A ? s.value | 0x20 : s.value }
    // matches[i][j]: pattern[i...] matches text[j...]
    var next = [Bool](repeating: false, count: text.count + 1)
    next[text.count] = true
    for i in stride(from: pattern.count - 1, through: 0, by: -1) {
        var row = [Bool](repeating: false, count: text.count + 1)
        for j in stride(from: text.count, through: 0, by: -1) {
            switch pattern[i] {
            case "*": row[j] = next[j] || (j < text.count && row[j + 1])
            case "?": row[j] = j < text.count && next[j + 1]
            default: row[j] = j < text.count && fold(pattern[i]) == fold(text[j]) && next[j + 1]
            }
        }
        next = row
    }
    return next[0]
}

// MARK: Templates

private func fuzzTemplate(_ body: String) {
    let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    func line(_ i: Int) -> String { i < lines.count ? lines[i] : "" }
    var track = TrackSummary(id: "t1", title: line(1), artist: line(2), album: line(3), durationSeconds: 100, albumArtist: line(4))
    track.playerName = line(5)
    track.year = Int(line(6).prefix(6)) ?? 0
    let template = ActivityTemplate(line(0))
    let filled = template.fill(track)
    let expected = referenceFill(line(0), track)
    require(same(filled, expected), "fill '\(line(0))' gave '\(filled)', reference '\(expected)'")
    if !line(0).utf8.contains(UInt8(ascii: "{")) { require(same(filled, line(0)), "a template without placeholders changed") }
    require(template.usesYear == line(0).contains("{year}"), "usesYear")
    require(same(ActivityTemplate("{track}").fill(track), track.title), "{track} is not the title")
}

private func referenceFill(_ template: String, _ track: TrackSummary) -> String {
    let values: [(String, String)] = [
        ("{track}", track.title), ("{artist}", track.artist), ("{album}", track.album),
        ("{albumartist}", track.albumArtist), ("{year}", track.year > 0 ? String(track.year) : ""),
        ("{player}", track.playerName),
    ]
    var out = ""
    var rest = Substring(template)
    outer: while let first = rest.unicodeScalars.first {
        for (placeholder, value) in values where rest.utf8.starts(with: placeholder.utf8) {
            out += value
            rest = Substring(rest.unicodeScalars.dropFirst(placeholder.unicodeScalars.count))
            continue outer
        }
        out.unicodeScalars.append(first)
        rest = Substring(rest.unicodeScalars.dropFirst())
    }
    return out
}

// MARK: Failing

/// Byte-wise equality (`==` on strings is canonical equivalence).
private func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fatalError("FuzzDiscordPlugin invariant: \(message)")
}
