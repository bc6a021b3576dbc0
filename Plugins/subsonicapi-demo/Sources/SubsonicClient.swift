import NavidromePDK

/// Calls the Subsonic API through the host as one user and returns the `subsonic-response`
/// object of a successful answer.
///
/// The uri carries only the endpoint and its parameters plus `u=<user>`: the host adds `c`, `v`
/// and `f=json` and authenticates internally, so no password is involved. Subsonic failures
/// (`status: "failed"`) come back inside the JSON, not as host errors.
struct SubsonicClient {
    /// Username passed as `u`.
    var user: String

    /// The uri for `endpoint` with `parameters` (values are percent-encoded here).
    func uri(_ endpoint: String, _ parameters: [(String, String)] = []) -> String {
        var uri = endpoint + "?u=" + QueryText.encode(user)
        for (name, value) in parameters {
            uri += "&" + name + "=" + QueryText.encode(value)
        }
        return uri
    }

    /// Calls `endpoint`; a host refusal or a Subsonic error is a ``PluginError`` saying so.
    func call(_ endpoint: String, _ parameters: [(String, String)] = []) throws(PluginError) -> JSONValue {
        let text: String
        do {
            text = try SubsonicAPIService.call(uri: uri(endpoint, parameters))
        } catch {
            throw HostRefusal.explain(error, user: user, endpoint: endpoint)
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw PluginError("\(endpoint) as '\(user)' answered with invalid JSON: \(error.message)")
        }
        guard let response = root["subsonic-response"], response.objectValue != nil else {
            throw PluginError("\(endpoint) as '\(user)' answered without a subsonic-response object")
        }
        guard let status = response["status"]?.stringValue, status.hasSameUTF8(as: "ok") else {
            let code = response["error"]?["code"]?.int64Value ?? 0
            let message = response["error"]?["message"]?.stringValue ?? "no message"
            throw PluginError("Subsonic error \(code) on \(endpoint) as '\(user)': \(message)")
        }
        return response
    }
}
