/// Navidrome's host services by import-name prefix, with the permission each needs
/// (`plugins/host/*_gen.go`). Used to name the missing permission of an import even when this
/// host does not provide the service, and by `tonearm plugin validate`.
public enum HostServiceCatalog {
    /// Prefix → permission (`nil`: every plugin gets the service).
    public static let permissions: [String: String?] = [
        "config": nil, "cache": "cache", "kvstore": "kvstore", "http": "http", "websocket": "websocket",
        "scheduler": "scheduler", "artwork": "artwork", "subsonicapi": "subsonicapi", "users": "users",
        "library": "library", "matcher": "matcher", "storage": "storage", "task": "taskqueue",
        "scrobbleretriever": "scrobbleRetriever",
    ]

    /// The prefix of a host function name (`cache` for `cache_setstring`).
    static func prefix(of name: String) -> String { String(name.prefix { $0 != "_" }) }
}
