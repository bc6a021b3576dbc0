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

    /// Every host function Navidrome defines (`plugins/host/*_gen.go`).
    public static let functions: [String] = """
        artwork_getartisturl artwork_getalbumurl artwork_gettrackurl artwork_getplaylisturl cache_setstring
        cache_getstring cache_setint cache_getint cache_setfloat cache_getfloat cache_setbytes cache_getbytes
        cache_has cache_remove config_get config_getint config_keys http_send kvstore_set kvstore_setwithttl
        kvstore_get kvstore_getmany kvstore_has kvstore_list kvstore_delete kvstore_deletebyprefix
        kvstore_getstorageused library_getlibrary library_getalllibraries matcher_matchsongs
        scheduler_scheduleonetime scheduler_schedulerecurring scheduler_cancelschedule
        scrobbleretriever_getfirsttimestamp scrobbleretriever_getlasttimestamp scrobbleretriever_getscrobbles
        scrobbleretriever_getscrobblecount storage_getstoragepath subsonicapi_call subsonicapi_callraw
        task_createqueue task_enqueue task_get task_cancel task_clearqueue users_getusers users_getadmins
        websocket_connect websocket_sendtext websocket_sendbinary websocket_closeconnection
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    /// The prefix of a host function name (`cache` for `cache_setstring`).
    static func prefix(of name: String) -> String { String(name.prefix { $0 != "_" }) }
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
