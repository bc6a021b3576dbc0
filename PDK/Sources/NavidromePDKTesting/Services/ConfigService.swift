import NavidromeJSON

// `config_*`: the plugin configuration (``TestHost/config``), as Navidrome's config service.
extension HostState {
    mutating func handleConfig(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        switch function {
        case "config_get":
            if let value = config[try request.string("key")] {
                response.set("value", value, omitEmpty: true)
                response.set("exists", true)
            }
        case "config_getint":
            if let text = config[try request.string("key")], let value = Int64(text) {
                response.set("value", value, omitEmpty: true)
                response.set("exists", true)
            }
        case "config_keys":
            let prefix = try request.string("prefix")
            response.set("keys", config.keys.filter { $0.hasPrefix(prefix) }.sorted(), omitEmpty: true)
        default:
            throw HostError.noAnswer(function)
        }
    }
}
