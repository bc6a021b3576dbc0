import NavidromeABI
import PluginRuntime

/// A Navidrome host service that a standalone host cannot provide: plugins that declare its
/// permission load, and each of its functions answers with an error naming the function and why
/// (`library_getlibrary: Tonearm has no music library …`), as a Navidrome host function reports
/// any failure. Which services and why: ``standalone``.
public struct UnavailableService: HostService {
    public let permission: String?
    public let functionPrefix: String
    /// Why the service is missing, said to the plugin on every call.
    public let reason: String

    /// The services of Navidrome's ABI whose data lives in Navidrome itself.
    public static let standalone: [UnavailableService] = [
        UnavailableService(service: "Library", reason:
            "Tonearm runs beside a music server and has no music library of its own"),
        UnavailableService(service: "Matcher", reason:
            "Tonearm runs beside a music server and has no music library to match songs against"),
        UnavailableService(service: "ScrobbleRetriever", reason:
            "Tonearm keeps no listening history: scrobbles are handed to plugins, not stored"),
    ]

    /// The service named `service` in `ABI/host/*.json`.
    init(service: String, reason: String) {
        let functions = NavidromeHostFunctions.all.filter { $0.service == service }
        precondition(!functions.isEmpty, "no host service named \(service) in ABI/host")
        permission = functions[0].permission
        functionPrefix = HostServiceCatalog.prefix(of: functions[0].name)
        self.reason = reason
        names = functions.map(\.name)
    }

    private let names: [String]

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let reason = reason
        return Dictionary(uniqueKeysWithValues: names.map { name in
            let response = errorResponse("\(name): \(reason)")
            return (name, { _ in response })
        })
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
