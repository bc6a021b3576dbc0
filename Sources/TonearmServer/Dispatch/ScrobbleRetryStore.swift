import Foundation
import Logging

/// A scrobble that a plugin asked to be retried (`scrobbler(retry_later)`).
struct PendingScrobble: Codable, Sendable, Equatable {
    let plugin: String
    let username: String
    /// The `nd_scrobbler_scrobble` input, exactly as first sent.
    let input: String
}

/// Keeps the scrobbles waiting for a retry in a JSON file in the data folder, so that a restart
/// loses none (Navidrome keeps its equivalent in its database).
struct ScrobbleRetryStore: Sendable {
    let file: URL

    /// `scrobble-retries.json` in `dataFolder`.
    init(dataFolder: String) {
        file = URL(fileURLWithPath: dataFolder).appendingPathComponent("scrobble-retries.json")
    }

    /// The stored scrobbles, oldest first. A file that cannot be read is moved aside (never
    /// deleted), with a log line naming both files.
    func load(logger: Logger) -> [PendingScrobble] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        do {
            return try JSONDecoder().decode([PendingScrobble].self, from: data)
        } catch {
            let aside = file.appendingPathExtension("unreadable-\(Int(Date().timeIntervalSince1970))")
            try? FileManager.default.moveItem(at: file, to: aside)
            logger.error(
                "scrobbles waiting for a retry could not be read; the file was kept aside",
                metadata: ["file": "\(file.path)", "keptAs": "\(aside.path)", "error": "\(error)"])
            return []
        }
    }

    /// Replaces the stored scrobbles (removes the file when there are none).
    func save(_ pending: [PendingScrobble]) throws {
        if pending.isEmpty {
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
            return
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(pending).write(to: file, options: .atomic)
    }
}
