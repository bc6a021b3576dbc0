import NavidromeABI

/// Navidrome's host services by import-name prefix, with the permission each needs (from
/// `ABI/host/*.json`). Used to name the missing permission of an import even when this host does
/// not provide the service, and by `tonearm plugin validate`.
public enum HostServiceCatalog {
    /// Prefix → permission (`nil`: every plugin gets the service).
    public static let permissions: [String: String?] = Dictionary(
        NavidromeHostFunctions.all.map { (prefix(of: $0.name), $0.permission) }, uniquingKeysWith: { first, _ in first })

    /// Every host function Navidrome defines.
    public static let functions: [String] = NavidromeHostFunctions.all.map(\.name)

    /// The service prefix of a host function name (`cache` for `cache_setstring`).
    public static func prefix(of name: String) -> String { String(name.prefix { $0 != "_" }) }
}

/// Stands in for Navidrome's services with canned responses (for `tonearm plugin call
/// --host-responses` and tests): every catalog function of one prefix answers with the
/// response given for it, or `{}`.
public struct CannedHostService: HostService {
    public let permission: String?
    public let functionPrefix: String
    private let responses: [String: [UInt8]]

    /// One service per prefix of the catalog, answering from `responses` (function → JSON).
    public static func all(responses: [String: [UInt8]]) -> [CannedHostService] {
        HostServiceCatalog.permissions.keys.sorted().map { prefix in
            CannedHostService(
                permission: HostServiceCatalog.permissions[prefix]!, functionPrefix: prefix,
                responses: responses.filter { HostServiceCatalog.prefix(of: $0.key) == prefix })
        }
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        var functions: [String: HostFunction] = [:]
        for name in HostServiceCatalog.functions where HostServiceCatalog.prefix(of: name) == functionPrefix {
            let response = responses[name] ?? Array("{}".utf8)
            functions[name] = { _ in response }
        }
        return functions
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
