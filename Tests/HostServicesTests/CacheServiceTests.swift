import Foundation
import Synchronization
import PluginRuntime
import Testing

@testable import HostServices

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let seconds = Mutex<Double>(1000)
    var now: Double { seconds.withLock { $0 } }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

@Suite(.timeLimit(.minutes(2))) struct CacheServiceTests {
    @Test func typedValuesRoundTripWithGoEncoding() async throws {
        let f = CacheService().functions(for: makeContext())
        #expect(try await invoke(f["cache_setstring"], ["key": "s", "value": "hi", "ttlSeconds": 60]).text == "{}")
        #expect(try await invoke(f["cache_getstring"], ["key": "s"]).text == #"{"value":"hi","exists":true}"#)
        _ = try await invoke(f["cache_setint"], ["key": "i", "value": 42, "ttlSeconds": 0])
        #expect(try await invoke(f["cache_getint"], ["key": "i"]).text == #"{"value":42,"exists":true}"#)
        _ = try await invoke(f["cache_setfloat"], ["key": "f", "value": 2.5])
        #expect(try await invoke(f["cache_getfloat"], ["key": "f"]).text == #"{"value":2.5,"exists":true}"#)
        _ = try await invoke(f["cache_setbytes"], ["key": "b", "value": base64("raw")])
        #expect(try await invoke(f["cache_getbytes"], ["key": "b"]).text == #"{"value":"cmF3","exists":true}"#)
        // Another type: exists false, no error. Empty string: exists only.
        #expect(try await invoke(f["cache_getint"], ["key": "s"]).text == "{}")
        _ = try await invoke(f["cache_setstring"], ["key": "e", "value": ""])
        #expect(try await invoke(f["cache_getstring"], ["key": "e"]).text == #"{"exists":true}"#)
        #expect(try await invoke(f["cache_has"], ["key": "b"]).text == #"{"exists":true}"#)
        #expect(try await invoke(f["cache_remove"], ["key": "b"]).text == "{}")
        #expect(try await invoke(f["cache_has"], ["key": "b"]).text == "{}")
    }

    @Test func expiredEntriesAreNeverReturnedAndReadsExtendTheTTL() async throws {
        let clock = ManualClock()
        let service = CacheService(now: { clock.now })
        let f = service.functions(for: makeContext())
        _ = try await invoke(f["cache_setint"], ["key": "seq", "value": 7, "ttlSeconds": 82])
        _ = try await invoke(f["cache_setint"], ["key": "other", "value": 1, "ttlSeconds": 82])
        clock.advance(60)
        #expect(try await invoke(f["cache_getint"], ["key": "seq"]).json["value"] as? Int == 7)  // refreshed to +82
        clock.advance(60)  // 120 s after set: "other" expired, "seq" alive thanks to the read
        #expect(try await invoke(f["cache_has"], ["key": "other"]).text == "{}")
        #expect(try await invoke(f["cache_getint"], ["key": "seq"]).json["value"] as? Int == 7)
        clock.advance(83)
        #expect(try await invoke(f["cache_getint"], ["key": "seq"]).text == "{}")
    }

    @Test func zeroTTLMeans24Hours() async throws {
        let clock = ManualClock()
        let f = CacheService(now: { clock.now }).functions(for: makeContext())
        _ = try await invoke(f["cache_setstring"], ["key": "k", "value": "v", "ttlSeconds": -5])
        clock.advance(24 * 3600 - 1)
        #expect(try await invoke(f["cache_has"], ["key": "k"]).text == #"{"exists":true}"#)
        clock.advance(24 * 3600 + 1)
        #expect(try await invoke(f["cache_has"], ["key": "k"]).text == "{}")
    }

    @Test func evictsLeastRecentlyUsedWhenFull() async throws {
        let service = CacheService(limits: .init(maxBytes: 1 << 20, maxEntries: 3))
        let f = service.functions(for: makeContext())
        for key in ["a", "b", "c"] { _ = try await invoke(f["cache_setstring"], ["key": key, "value": key]) }
        _ = try await invoke(f["cache_getstring"], ["key": "a"])  // a is now most recent
        _ = try await invoke(f["cache_setstring"], ["key": "d", "value": "d"])
        #expect(try await invoke(f["cache_has"], ["key": "b"]).text == "{}")
        for key in ["a", "c", "d"] { #expect(try await invoke(f["cache_has"], ["key": key]).text == #"{"exists":true}"#) }

        // Byte bound: 10 values of ~1 KB in a 4 KB cache keep only the newest few.
        let small = CacheService(limits: .init(maxBytes: 4096, maxEntries: 1000))
        let g = small.functions(for: makeContext())
        let kb = String(repeating: "x", count: 1000)
        for i in 0..<10 { _ = try await invoke(g["cache_setstring"], ["key": "k\(i)", "value": kb]) }
        #expect(small.store(for: "test-plugin").count == 3)
        #expect(try await invoke(g["cache_has"], ["key": "k9"]).text == #"{"exists":true}"#)
        #expect(try await invoke(g["cache_has"], ["key": "k0"]).text == "{}")
        let tooBig = try await invoke(g["cache_setstring"], ["key": "huge", "value": String(repeating: "y", count: 5000)])
        #expect((tooBig.json["error"] as? String)?.contains("too large") == true)
    }

    @Test func pluginsSeeOnlyTheirOwnDataAndUnloadWipes() async throws {
        let service = CacheService()
        let one = service.functions(for: makeContext(id: "one"))
        let two = service.functions(for: makeContext(id: "two"))
        _ = try await invoke(one["cache_setstring"], ["key": "k", "value": "mine"])
        #expect(try await invoke(two["cache_has"], ["key": "k"]).text == "{}")
        await service.pluginUnloaded("one")
        let again = service.functions(for: makeContext(id: "one"))
        #expect(try await invoke(again["cache_has"], ["key": "k"]).text == "{}")
    }
}
