/// A configuration problem, naming the key (and user) it concerns. Never contains a token.
public struct ConfigError: Error {
    /// The configuration key, e.g. `clientid` or `users[alice].status`.
    public var key: String
    /// What is wrong with it.
    public var problem: String

    public init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    /// One log line: "configuration key 'users': …".
    public var message: String { "configuration key '\(key)': \(problem)" }
}
