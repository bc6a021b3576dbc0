import Feeds
import HostServices

/// Forwards a plugin's SubsonicAPI call to the upstream server as the named user, with the
/// credentials the operator configured for that user in `[[Users]]`.
struct SubsonicForwarder: SubsonicUpstream {
    let client: SubsonicClient
    /// Lower-cased username → credentials.
    let credentials: [String: SubsonicCredentials]

    init(client: SubsonicClient, users: [ServerConfiguration.UserSettings]) {
        self.client = client
        var credentials: [String: SubsonicCredentials] = [:]
        for user in users {
            if !user.apiKey.isEmpty {
                credentials[user.name.lowercased()] = SubsonicCredentials(username: user.name, apiKey: user.apiKey)
            } else if !user.password.isEmpty {
                credentials[user.name.lowercased()] = SubsonicCredentials(username: user.name, password: user.password)
            }
        }
        self.credentials = credentials
    }

    func get(endpoint: String, query: [(String, String)], as user: String) async throws -> SubsonicUpstreamResponse {
        guard let credentials = credentials[user.lowercased()] else {
            throw ForwardingError(
                description: "no upstream credentials for user \"\(user)\": set Password or APIKey in its [[Users]] entry")
        }
        let response = try await client.get(endpoint: endpoint, query: query, as: credentials)
        return SubsonicUpstreamResponse(
            statusCode: response.status, contentType: response.contentType ?? "application/octet-stream",
            body: Array(response.body))
    }

    struct ForwardingError: Error, CustomStringConvertible {
        let description: String
    }
}

/// The SubsonicAPI upstream when `[Subsonic] URL` is not set.
struct NoSubsonicUpstream: SubsonicUpstream {
    func get(endpoint: String, query: [(String, String)], as user: String) async throws -> SubsonicUpstreamResponse {
        throw SubsonicForwarder.ForwardingError(description: "no upstream Subsonic server: set [Subsonic] URL in tonearm.toml")
    }
}
