import NavidromePDK

/// A configuration problem, naming the key (and user) it concerns. Never contains a token.
struct ConfigError: Error {
    /// The configuration key, e.g. `clientid` or `users[alice].status`.
    var key: String
    /// What is wrong with it.
    var problem: String

    init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    /// One log line: "configuration key 'users': …".
    var message: String { "configuration key '\(key)': \(problem)" }
}
