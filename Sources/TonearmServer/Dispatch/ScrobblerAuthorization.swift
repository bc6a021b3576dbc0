import Foundation
import Logging
import NavidromeABI
import PluginRuntime

/// The answer of `nd_scrobbler_is_authorized`: whether a plugin acts for a user.
enum ScrobblerAuthorization: Sendable, Equatable {
    /// The plugin answered JSON `true`.
    case authorized
    /// The plugin answered anything else, or failed.
    case refused
    /// The plugin is not loaded (yet, or while it is reloaded): ask again later.
    case unavailable

    /// Asks `plugin` whether it acts for `username` (`queuedSince` as in ``ScrobblerPluginHost``).
    static func check(
        plugin: String, username: String, host: any ScrobblerPluginHost, logger: Logger,
        queuedSince: ContinuousClock.Instant? = nil
    ) async -> Self {
        let input = IsAuthorizedRequest(username: username).goJSONBytes()
        do {
            let output = try await host.call(
                plugin: plugin, export: ScrobblerCapability.isAuthorized, input: input, queuedSince: queuedSince)
            let authorized = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "true"
            if !authorized {
                logger.debug("plugin does not act for this user", metadata: ["plugin": "\(plugin)", "user": "\(username)"])
            }
            return authorized ? .authorized : .refused
        } catch where error.reason == .pluginNotLoaded || error.reason == .pluginUnloaded {
            return .unavailable
        } catch {
            logger.warning("is_authorized failed", metadata: ["plugin": "\(plugin)", "error": "\(error)"])
            return .refused
        }
    }
}
