import ArgumentParser
import Foundation
import HostServices
import Logging
import NavidromeABI
import PluginRuntime
import TonearmJSON
import TonearmServer

/// `tonearm plugin …`: inspect, check, install and try out `.ndp` plugins.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Manage and try out Navidrome plugins (.ndp files).",
        subcommands: [
            ListPlugins.self, PluginInfo.self, ValidatePlugin.self, InstallPlugin.self, RemovePlugin.self,
            EnablePlugin.self, DisablePlugin.self, CallPlugin.self,
        ]
    )
}

/// Options every `plugin` subcommand takes.
struct PluginOptionsGroup: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./tonearm.toml when present).")
    var config: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp(
        "Answer host functions from this JSON file instead of real services: {\"cache_getstring\": {\"exists\": false}, …}; unlisted functions answer {}.",
        valueName: "file"))
    var hostResponses: String?

    /// The whole configuration file (`tonearm.toml`), or the embedded defaults.
    func loadTonearmConfiguration() throws -> TonearmConfiguration {
        try TonearmConfiguration.load(file: config)
    }

    func loadConfiguration() throws -> PluginHostConfiguration {
        try loadTonearmConfiguration().plugins
    }

    func loader(
        _ configuration: PluginHostConfiguration, services: [any HostService]? = nil, requireAssignedUsers: Bool = true
    ) throws -> PluginLoader {
        var logger = Logger(label: "tonearm")
        logger.logLevel = .critical
        return PluginLoader(
            configuration: configuration, services: try services ?? hostServices(configuration),
            users: AssignedUsers(configuration: configuration), logger: logger,
            requireAssignedUsers: requireAssignedUsers)
    }

    /// The host services for inspecting plugins: canned responses from `--host-responses`,
    /// otherwise every service answering `{}` (so imports resolve and permissions are checked
    /// as at load; `call` runs the real services instead).
    func hostServices(_ configuration: PluginHostConfiguration) throws -> [any HostService] {
        guard let hostResponses else { return CannedHostService.all(responses: [:]) }
        guard let data = FileManager.default.contents(atPath: hostResponses) else {
            throw ValidationError("cannot read \(hostResponses)")
        }
        guard case .object(let members)? = try? JSONValue.parse(Array(data)) else {
            throw ValidationError("\(hostResponses): expected a JSON object of function name → response")
        }
        for name in members.keys where !HostServiceCatalog.functions.contains(name) {
            throw ValidationError("\(hostResponses): \"\(name)\" is not a Navidrome host function")
        }
        return CannedHostService.all(responses: members.dictionary.mapValues { $0.goJSONBytes() })
    }

    func packagePath(_ id: String, _ configuration: PluginHostConfiguration) -> String {
        (configuration.pluginsFolder as NSString).appendingPathComponent("\(id).ndp")
    }
}

/// Users named in `[Plugins.<id>] Users` lists, as non-admin users.
struct AssignedUsers: UserDirectory {
    let names: [String]

    init(configuration: PluginHostConfiguration) {
        var seen = Set<String>()
        names = configuration.plugins.keys.sorted().flatMap { configuration.plugins[$0]!.users }
            .filter { seen.insert($0.lowercased()).inserted }
    }

    func users() -> [TonearmUser] { names.map { TonearmUser(userName: $0, name: $0, isAdmin: false) } }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

struct ListPlugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the plugins in the plugins folder.")
    @OptionGroup var options: PluginOptionsGroup

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let statuses = try await loadStatuses(configuration, options: options)
        if options.json { return try printJSON(statuses) }
        if statuses.isEmpty {
            print("No plugins in \(configuration.pluginsFolder)")
            return
        }
        for status in statuses {
            var line = "\(status.id)  \(status.state.rawValue)"
            if let version = status.version { line += "  v\(version)" }
            if !status.capabilities.isEmpty { line += "  [\(status.capabilities.joined(separator: ", "))]" }
            print(line)
            if let error = status.lastError { print("    error: \(error)") }
        }
    }
}

func loadStatuses(_ configuration: PluginHostConfiguration, options: PluginOptionsGroup) async throws -> [PluginStatus] {
    var configuration = configuration
    configuration.autoReload = false
    var logger = Logger(label: "tonearm")
    logger.logLevel = .critical
    let manager = PluginManager(
        configuration: configuration, services: try options.hostServices(configuration),
        users: AssignedUsers(configuration: configuration), logger: logger)
    await manager.start()
    let statuses = manager.statuses()
    await manager.shutdown()
    return statuses
}

struct PluginInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show one plugin's details.")
    @OptionGroup var options: PluginOptionsGroup
    @Argument(help: "Plugin id (the .ndp file name without extension).") var id: String

    struct Info: Encodable {
        var status: PluginStatus
        var website: String?
        var httpHosts: [String]
        var webSocketHosts: [String]
        /// `permissions.endpoints.auth`, when the plugin serves HTTP endpoints.
        var endpointsAuth: String?
        var endpointPaths: [String]
        var users: [String]
        var allUsers: Bool
        var allowAdmins: Bool
        var extraHosts: [String]
        var configKeys: [String]
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        guard let status = try await loadStatuses(configuration, options: options).first(where: { $0.id == id }) else {
            throw ValidationError("no plugin \"\(id)\" in \(configuration.pluginsFolder)")
        }
        let package = try? PluginPackage(contentsOf: status.file)
        let settings = package.flatMap { try? options.loader(configuration, requireAssignedUsers: false).settings(for: $0) }
        let access = configuration.options(for: id)
        let info = Info(
            status: status, website: package?.manifest.website,
            httpHosts: package?.manifest.permissions.httpRequiredHosts ?? [],
            webSocketHosts: package?.manifest.permissions.webSocketRequiredHosts ?? [],
            endpointsAuth: package?.manifest.permissions.endpointsAuth?.rawValue,
            endpointPaths: package?.manifest.permissions.endpointPaths ?? [],
            users: access.users, allUsers: access.allUsers, allowAdmins: access.allowAdmins,
            extraHosts: access.extraHosts, configKeys: (settings ?? [:]).keys.sorted())
        if options.json { return try printJSON(info) }
        print("\(status.name ?? id) \(status.version.map { "v\($0)" } ?? "")  (\(id))")
        if let author = status.author { print("author:       \(author)") }
        if let description = status.description { print("description:  \(description)") }
        if let website = info.website { print("website:      \(website)") }
        print("file:         \(status.file)")
        print("state:        \(status.state.rawValue)\(status.enabled ? "" : " (disabled in plugins.json)")")
        if let error = status.lastError { print("last error:   \(error)") }
        print("permissions:  \(status.permissions.isEmpty ? "none" : status.permissions.joined(separator: ", "))")
        if !info.httpHosts.isEmpty { print("http hosts:   \(info.httpHosts.joined(separator: ", "))") }
        if !info.webSocketHosts.isEmpty { print("ws hosts:     \(info.webSocketHosts.joined(separator: ", "))") }
        if let auth = info.endpointsAuth {
            let paths = info.endpointPaths.isEmpty ? "" : "; paths \(info.endpointPaths.joined(separator: ", "))"
            print("endpoints:    /ext/\(id)/ (auth \(auth)\(paths))")
        }
        print("capabilities: \(status.capabilities.isEmpty ? "none" : status.capabilities.joined(separator: ", "))")
        print("users:        \(info.allUsers ? "all users" : (info.users.isEmpty ? "none assigned" : info.users.joined(separator: ", ")))\(info.allowAdmins ? " (admins included)" : "")")
        if !info.extraHosts.isEmpty { print("extra hosts:  \(info.extraHosts.joined(separator: ", "))") }
        print("config keys:  \(info.configKeys.isEmpty ? "none" : info.configKeys.joined(separator: ", "))  (values not shown)")
    }
}

struct ValidatePlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a .ndp file and print every problem (errors stop it loading; warnings are what Navidrome's published manifest schema would reject).")
    @OptionGroup var options: PluginOptionsGroup
    @Argument(help: "The .ndp file.") var file: String

    struct Report: Encodable {
        var plugin: String
        var file: String
        var valid: Bool
        var errors: [String]
        var warnings: [String]
        var capabilities: [String]
        var exports: [String]
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let result = try options.loader(configuration, requireAssignedUsers: false).validate(path: file)
        let report = Report(
            plugin: result.pluginID, file: file, valid: result.isValid, errors: result.errors, warnings: result.warnings,
            capabilities: result.capabilities.map(\.rawValue), exports: result.exports)
        if options.json {
            try printJSON(report)
        } else {
            for error in result.errors { print("error: \(error)") }
            for warning in result.warnings { print("warning: \(warning)") }
            if result.isValid {
                let capabilities = report.capabilities.isEmpty ? "none" : report.capabilities.joined(separator: ", ")
                print("\(file): valid plugin \"\(result.pluginID)\" (capabilities: \(capabilities))")
            } else {
                print("\(file): \(result.errors.count) error(s)")
            }
        }
        if !result.isValid { throw ExitCode(1) }
    }
}

struct InstallPlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Validate a .ndp file and copy it into the plugins folder.",
        discussion: """
            A plugin of the same id is replaced only with --force: the new package keeps the old \
            one's user grants and settings (tokens included), so the permission changes are shown first.
            """)
    @OptionGroup var options: PluginOptionsGroup
    @Flag(name: .long, help: "Replace an installed plugin of the same id (it keeps that plugin's grants and settings).")
    var force = false
    @Argument(help: "The .ndp file.") var file: String

    struct Report: Encodable {
        var plugin: String
        var file: String
        var replaced: Bool
        var permissionChanges: [String]
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let result = try options.loader(configuration, requireAssignedUsers: false).validate(path: file)
        guard result.isValid, let manifest = result.manifest else {
            for error in result.errors { printError("error: \(error)") }
            throw ExitCode(1)
        }
        let target = options.packagePath(result.pluginID, configuration)
        let fileManager = FileManager.default
        let installed = fileManager.fileExists(atPath: target)
        let old = installed ? (try? PluginPackage(contentsOf: target))?.manifest.permissions : nil
        var changes: [String] = []
        switch PluginReplacement.decide(
            id: result.pluginID, old: old, oldIsInstalled: installed, new: manifest.permissions, force: force)
        {
        case .install: break
        case .refuse(let message):
            printError("error: \(message)")
            throw ExitCode(1)
        case .replace(let replacement):
            changes = replacement.lines
        }
        do {
            _ = try PackageInstaller.install(file, as: "\(result.pluginID).ndp", into: configuration.pluginsFolder)
        } catch {
            throw ValidationError("\(error)")
        }
        if options.json {
            try printJSON(Report(plugin: result.pluginID, file: target, replaced: installed, permissionChanges: changes))
        } else if installed {
            print("replaced \"\(result.pluginID)\" at \(target); permission changes:")
            for line in changes { print("  \(line)") }
        } else {
            print("installed \"\(result.pluginID)\" as \(target)")
        }
    }
}

struct RemovePlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete a plugin's .ndp file from the plugins folder.")
    @OptionGroup var options: PluginOptionsGroup
    @Argument(help: "Plugin id.") var id: String

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let path = options.packagePath(id, configuration)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no plugin \"\(id)\" in \(configuration.pluginsFolder)")
        }
        try FileManager.default.removeItem(atPath: path)
        if options.json { try printJSON(["plugin": id, "removed": path]) } else { print("removed \(path)") }
    }
}

struct EnablePlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a plugin (recorded in <DataFolder>/plugins.json).")
    @OptionGroup var options: PluginOptionsGroup
    @Argument(help: "Plugin id.") var id: String

    func run() async throws { try setEnabled(id, true, options) }
}

struct DisablePlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a plugin (recorded in <DataFolder>/plugins.json).")
    @OptionGroup var options: PluginOptionsGroup
    @Argument(help: "Plugin id.") var id: String

    func run() async throws { try setEnabled(id, false, options) }
}

func setEnabled(_ id: String, _ enabled: Bool, _ options: PluginOptionsGroup) throws {
    let configuration = try options.loadConfiguration()
    guard FileManager.default.fileExists(atPath: options.packagePath(id, configuration)) else {
        throw ValidationError("no plugin \"\(id)\" in \(configuration.pluginsFolder)")
    }
    let store = PluginStateStore(dataFolder: configuration.dataFolder)
    try store.setDisabled(id, !enabled)
    let word = enabled ? "enabled" : "disabled"
    if options.json { try printJSON(["plugin": id, "state": word]) } else { print("\(word) \"\(id)\" (\(store.file))") }
}

struct CallPlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Run one export of a plugin with JSON input; print its output, host calls and log lines.",
        discussion: """
            nd_http_handle_request takes and answers Navidrome's binary frame: give the request as JSON \
            ({"method", "path", "query", "headers", "user", "body"}, the body base64-encoded as Go writes bytes); \
            the answer is shown as {"status", "headers", "body"}, the body as text (or "bodyBase64" when it is not UTF-8).
            """)
    @OptionGroup var options: PluginOptionsGroup
    @Option(name: .long, help: "Call deadline in seconds (default: the configuration's CallTimeout).")
    var timeout: Double?
    @Option(name: .long, help: "Also run the call this many more times and report the median and 90th-percentile time per call.")
    var `repeat`: Int = 0
    @Flag(name: .long, help: "Create a new instance for every call instead of reusing restored ones.")
    var freshInstances = false
    @Option(name: .long, help: ArgumentHelp(
        "Answer http_send from the canned responses in this folder instead of the network (one *.json file per answer: {\"method\", \"url\" (a trailing * matches a prefix), \"status\", \"headers\", \"body\"}).",
        valueName: "folder"))
    var httpFixtures: String?
    @Argument(help: "Plugin id, or a path to a .ndp file.") var plugin: String
    @Argument(help: "Export to call, e.g. nd_scrobbler_now_playing.") var export: String
    @Argument(help: "JSON input (default {}).") var input: String = "{}"

    struct Report: Encodable {
        var plugin: String
        var export: String
        var ok: Bool
        var output: String?
        var error: String?
        var notImplemented: Bool
        var hostCalls: [CallTrace.HostCall]
        var logs: [CallTrace.LogLine]
        var durationMs: Double
        var timing: Timing?
    }

    struct Timing: Encodable {
        var calls: Int
        var medianMicroseconds: Double
        var p90Microseconds: Double
    }

    func run() async throws {
        let full = try options.loadTonearmConfiguration()
        var configuration = full.plugins
        if let timeout {
            guard timeout > 0, timeout <= 86_400 else {
                throw ValidationError("--timeout must be a positive number of seconds, at most 86400")
            }
            configuration.callTimeout = timeout
        }
        guard (try? JSONValue.parse(Array(input.utf8))) != nil else {
            throw ValidationError("the input is not valid JSON: \(input)")
        }
        let input = try Self.framed(input, for: export)
        let path = plugin.hasSuffix(".ndp") ? plugin : options.packagePath(plugin, configuration)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError(plugin.hasSuffix(".ndp") ? "no such file: \(path)" : "no plugin \"\(plugin)\" in \(configuration.pluginsFolder)")
        }
        // The real host services as configured, unless --host-responses cans them.
        var logger = Logger(label: "tonearm")
        logger.logLevel = .critical
        let real = options.hostResponses == nil ? try HostServiceSet(configuration: full, logger: logger) : nil
        var services = try real?.services ?? options.hostServices(configuration)
        if let httpFixtures {
            let fixtures: HTTPFixtureService
            do {
                fixtures = try HTTPFixtureService(folder: httpFixtures)
            } catch {
                await real?.shutdown()
                throw ValidationError("--http-fixtures: \(error)")
            }
            services = services.filter { $0.functionPrefix != fixtures.functionPrefix } + [fixtures]
        }
        let loaded: LoadedPlugin
        do {
            var loader = try options.loader(configuration, services: services, requireAssignedUsers: false)
            if freshInstances { loader.poolSize = 0 }
            loaded = try loader.load(path: path)
        } catch {
            await real?.shutdown()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let report = await call(loaded, input: input)
        await real?.shutdown()
        try show(report)
        if !report.ok { throw ExitCode(1) }
    }

    /// The bytes the export takes: the JSON as given, or for `nd_http_handle_request` Navidrome's
    /// binary frame of the request.
    static func framed(_ json: String, for export: String) throws -> [UInt8] {
        guard export == HTTPEndpointCapability.handleRequest else { return Array(json.utf8) }
        do {
            return try HTTPHandleRequest(jsonBytes: Array(json.utf8)).inputFrame()
        } catch {
            throw ValidationError("the input is not an HTTP request for \(export): \(error)")
        }
    }

    /// The output as shown: as the plugin wrote it, or for `nd_http_handle_request` the
    /// answer's frame as JSON with the body as text.
    static func shown(_ output: [UInt8], of export: String) throws -> String {
        guard export == HTTPEndpointCapability.handleRequest else { return String(decoding: output, as: UTF8.self) }
        let answer = try HTTPHandleResponse(outputFrame: output)
        var shown = JSONObject()
        shown["status"] = .integer(Int64(answer.status == 0 ? 200 : answer.status))
        shown["headers"] = .object(JSONObject(answer.headers.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map { .string($0) })) }))
        if let text = String(validating: answer.body, as: UTF8.self) {
            shown["body"] = .string(text)
        } else {
            shown["bodyBase64"] = .string(Data(answer.body).base64EncodedString())
        }
        return JSONValue.object(shown).goJSON
    }

    private func call(_ loaded: LoadedPlugin, input: [UInt8]) async -> Report {
        let trace = CallTrace()
        let start = ContinuousClock.now
        var report = Report(plugin: loaded.id, export: export, ok: true, notImplemented: false, hostCalls: [], logs: [], durationMs: 0)
        do {
            let output = try await loaded.call(export: export, input: input, trace: trace)
            report.output = try Self.shown(output, of: export)
        } catch let error as PluginCallError {
            report.ok = false
            report.error = error.description
            report.notImplemented = error.isNotImplemented
        } catch {
            report.ok = false
            report.error = "\(error)"
        }
        let elapsed = ContinuousClock.now - start
        report.durationMs = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        report.hostCalls = trace.hostCalls
        report.logs = trace.logLines
        if `repeat` > 0 {
            var samples: [Double] = []
            for _ in 0..<`repeat` {
                let begin = ContinuousClock.now
                _ = try? await loaded.call(export: export, input: input)
                let took = ContinuousClock.now - begin
                samples.append(Double(took.components.seconds) * 1e6 + Double(took.components.attoseconds) / 1e12)
            }
            samples.sort()
            report.timing = Timing(
                calls: samples.count, medianMicroseconds: samples[samples.count / 2],
                p90Microseconds: samples[min(samples.count - 1, samples.count * 9 / 10)])
        }
        return report
    }

    /// JSON output indented, one member per line; anything else as it is.
    static func readable(_ output: String) -> String {
        guard let data = output.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
              value is [Any] || value is [String: Any],
              let pretty = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return output }
        return String(decoding: pretty, as: UTF8.self)
    }

    private func show(_ report: Report) throws {
        if options.json {
            try printJSON(report)
        } else {
            if let output = report.output, !output.isEmpty { print(Self.readable(output)) }
            for call in report.hostCalls {
                printError("host call \(call.function): \(call.request) → \(call.response)")
            }
            for line in report.logs { printError("log [\(line.level)] \(line.message)") }
            if let error = report.error { printError("error: \(error)") }
            if let timing = report.timing {
                printError(String(format: "%d calls: median %.1f µs, p90 %.1f µs per call", timing.calls,
                                  timing.medianMicroseconds, timing.p90Microseconds))
            }
        }
    }
}
