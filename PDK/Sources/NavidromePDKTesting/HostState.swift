import NavidromeJSON

/// Everything a ``TestHost`` holds, guarded by its lock.
struct HostState {
    // Extism kernel
    var memory = KernelMemory()
    var input: [UInt8] = []
    var output: [UInt8] = []
    var error: String?
    var config: [String: String] = [:]
    var vars: [String: [UInt8]] = [:]
    var logLevel: Int32 = 0
    var logs: [LogEntry] = []
    var nowMs: Int64

    // Host services
    var cache: [String: CacheEntry] = [:]
    var kvstore: [String: KVEntry] = [:]
    var schedules: [TestScheduler.Schedule] = []
    var scheduleCount = 0
    var httpResponses: [String: CannedHTTP] = [:]
    var httpRequests: [TestHTTP.Request] = []
    var openConnections: [TestWebSocket.Connection] = []
    var connects: [TestWebSocket.Connection] = []
    var sentFrames: [TestWebSocket.Frame] = []
    var closes: [TestWebSocket.Close] = []
    var connectionCount = 0
    var connectError: String?
    var users: [TestUser] = []
    var artworkBaseURL = "https://navidrome.test/artwork"

    // Recorded calls and set answers
    var answers: [String: String] = [:]
    var hostCalls: [RecordedHostCall] = []

    init(nowMs: Int64) {
        self.nowMs = nowMs
    }

    /// A fresh call: new kernel memory, the given input, no output or error.
    mutating func beginCall(input: [UInt8]) {
        memory = KernelMemory()
        self.input = input
        output = []
        error = nil
    }
}

/// A host function failure: becomes the `{"error": "…"}` response.
struct HostError: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
