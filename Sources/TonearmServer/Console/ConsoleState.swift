import Console
import Feeds
import Foundation
import HostServices
import Synchronization
import TonearmJSON

/// What the web console keeps while serve runs: sign-in sessions and their throttle, the
/// in-memory log, what the feeds did, what each Discord connection shows, and the pages.
final class ConsoleState: Sendable {
    let sessions = ConsoleSessions()
    let throttle = SignInThrottle()
    let pages = ConsolePages()
    let logRing: LogRing
    let feedActivity = FeedActivity()
    let presence = PresenceBoard()
    /// The settings changed here, as stored in `<DataFolder>/console-settings.json`.
    let savedOverrides: Mutex<ConsoleOverrides>
    /// Settings forms refused, by session and plugin: what was entered, secrets included, for
    /// the next submission of the form shown again (at most 100; they hold no more than the
    /// stored settings do).
    let drafts = Mutex<[String: [String: JSONValue]]>([:])
    /// `<DataFolder>/console-password`: the admin password's hash (`tonearm admin set-password`).
    let passwordFile: URL

    /// `.ndp` files uploaded and not yet installed.
    let uploads: PluginUploads

    init(dataFolder: String, logRing: LogRing, overrides: ConsoleOverrides) {
        self.logRing = logRing
        uploads = PluginUploads(dataFolder: dataFolder)
        savedOverrides = Mutex(overrides)
        passwordFile = Self.passwordFile(dataFolder: dataFolder)
    }

    static func passwordFile(dataFolder: String) -> URL {
        URL(fileURLWithPath: dataFolder).appendingPathComponent("console-password")
    }

    /// The stored admin password; nil when none is set. A file that cannot be read is an error
    /// for the caller to report (sign-in by password is then refused).
    func adminPassword() throws(AdminPasswordError) -> AdminPassword? {
        guard let data = FileManager.default.contents(atPath: passwordFile.path) else { return nil }
        guard data.count <= 4096 else { throw AdminPasswordError("\(passwordFile.path) is too large to be a password hash") }
        do {
            return try AdminPassword(stored: String(decoding: data, as: UTF8.self))
        } catch {
            throw AdminPasswordError("\(passwordFile.path): \(error)")
        }
    }
}

/// Feeds the presence board from the WebSocket service.
struct PresenceObserver: WebSocketObserver {
    let board: PresenceBoard

    func connectionOpened(plugin: String, connection: String) {
        board.connectionOpened(plugin: plugin, connection: connection)
    }

    func textSent(plugin: String, connection: String, message: String) {
        board.textSent(plugin: plugin, connection: connection, message: message)
    }

    func connectionClosed(plugin: String, connection: String, code: Int, reason: String) {
        board.connectionClosed(plugin: plugin, connection: connection, code: code, reason: reason)
    }

    func pluginUnloaded(plugin: String) {
        board.forget(plugin: plugin)
    }
}

/// Writes the console's admin password (`tonearm admin set-password`).
package enum ConsolePassword {
    /// Hashes `password` and stores it in `<dataFolder>/console-password` (owner-only, replaced
    /// atomically). A running serve uses it from the next sign-in.
    package static func store(_ password: String, dataFolder: String, rounds: Int = AdminPassword.defaultRounds) throws -> String {
        let hash = try AdminPassword(hashing: password, rounds: rounds)
        try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true)
        let file = ConsoleState.passwordFile(dataFolder: dataFolder)
        try DurableFile.replace(file, contents: Array((hash.stored + "\n").utf8))
        return file.path
    }
}
