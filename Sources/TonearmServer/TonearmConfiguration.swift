import Foundation
import HostServices
import PluginRuntime
import TonearmJSON

/// The whole of `tonearm.toml`: the daemon's settings and the plugin runtime's. The one place
/// that reads configuration: the file is parsed once (``ConfigurationTable``), then each part
/// reads its sections from it.
public struct TonearmConfiguration: Sendable {
    public var server: ServerConfiguration
    public var plugins: PluginHostConfiguration
    /// `[Plugins]` `MaxWebSocketConnections` and `MaxSchedules`: what one plugin may hold.
    public var serviceLimits: HostServiceLimits
    /// Where the settings came from: a file path, or "embedded defaults".
    public var source: String
    /// Plugin settings and options changed in the web console (`<DataFolder>/console-settings.json`),
    /// already applied to ``plugins``.
    public var consoleOverrides = ConsoleOverrides()
    /// `[PluginSettings]` as the file gives them, before the console's overrides.
    public var fileSettings: [String: [String: JSONValue]] = [:]

    public init(
        server: ServerConfiguration = ServerConfiguration(), plugins: PluginHostConfiguration = PluginHostConfiguration(),
        serviceLimits: HostServiceLimits = HostServiceLimits(), source: String = "embedded defaults"
    ) {
        self.server = server
        self.plugins = plugins
        self.serviceLimits = serviceLimits
        self.source = source
    }

    /// Parses TOML text; `source` names it in errors, which also name the setting.
    public init(toml text: String, source: String) throws(ConfigurationError) {
        let root = try ConfigurationTable.parse(text, source: source)
        server = try ServerConfiguration(reading: root)
        plugins = try PluginHostConfiguration(reading: root)
        serviceLimits = try HostServiceLimits(reading: root)
        self.source = source
        fileSettings = plugins.pluginSettings
    }

    /// Applies the web console's changes stored in the data folder.
    mutating func applyConsoleOverrides() throws(ConfigurationError) {
        consoleOverrides = try ConsoleOverrides(dataFolder: plugins.dataFolder)
        consoleOverrides.apply(to: &plugins)
    }

    /// Reads `file`; with no file, `./tonearm.toml` when it exists, else the embedded defaults.
    /// Then the web console's changes (``ConsoleOverrides``) over them.
    public static func load(file: String?) throws(ConfigurationError) -> TonearmConfiguration {
        var configuration = try loadFile(file)
        try configuration.applyConsoleOverrides()
        return configuration
    }

    private static func loadFile(_ file: String?) throws(ConfigurationError) -> TonearmConfiguration {
        let path: String
        if let file {
            path = file
        } else if FileManager.default.fileExists(atPath: "tonearm.toml") {
            path = "tonearm.toml"
        } else {
            return TonearmConfiguration()
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, message: "cannot read the file: \((error as NSError).localizedDescription)")
        }
        return try TonearmConfiguration(toml: text, source: path)
    }
}
