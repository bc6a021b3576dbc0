@testable import DiscordRichPresence
import Testing

@Suite struct SendBudgetTests {
    let t0: Int64 = 1_700_000_000_000

    func allows(_ budget: inout SendBudget, at now: Int64) -> Bool { budget.allowsPresence(at: now) }
    func delay(_ budget: inout SendBudget, at now: Int64) -> Int64 { budget.presenceDelay(at: now) }

    @Test func fivePresenceUpdatesPerWindow() {
        var budget = SendBudget()
        for i in 0..<5 {
            #expect(allows(&budget, at: t0 + Int64(i) * 1000))
            budget.recordPresence(at: t0 + Int64(i) * 1000)
        }
        #expect(!allows(&budget, at: t0 + 5_000))
        // The oldest send leaves the 21 s window at t0 + 21 s.
        #expect(delay(&budget, at: t0 + 5_000) == 16_000)
        #expect(!allows(&budget, at: t0 + 20_999))
        #expect(allows(&budget, at: t0 + 21_000))
        #expect(delay(&budget, at: t0 + 21_000) == 0)
    }

    @Test func tokenBucketKeepsAReserveForHeartbeats() {
        var budget = SendBudget()
        for _ in 0..<54 { budget.recordFrame(at: t0) }
        #expect(budget.tokens == 6)
        #expect(allows(&budget, at: t0))
        budget.recordFrame(at: t0)
        #expect(!allows(&budget, at: t0))
        // One token short: refilled at one per second.
        #expect(delay(&budget, at: t0) == 1_001)
        #expect(allows(&budget, at: t0 + 1_000))
    }

    @Test func bucketRefillsUpToItsCapacity() {
        var budget = SendBudget()
        budget.recordFrame(at: t0)
        budget.refill(t0 + 500)
        #expect(budget.tokens == 59.5)
        budget.refill(t0 + 3_600_000)
        #expect(budget.tokens == SendBudget.bucketCapacity)
        // A clock going backwards restarts the refill instead of removing tokens.
        budget.refill(t0)
        #expect(budget.tokens == SendBudget.bucketCapacity)
        #expect(budget.refilledAt == t0)
    }

    @Test func encodingRoundTrips() {
        var budget = SendBudget()
        budget.recordPresence(at: t0)
        budget.recordPresence(at: t0 + 500)
        #expect(budget.encoded == "58500;\(t0 + 500);\(t0),\(t0 + 500)")
        let decoded = SendBudget(encoded: budget.encoded)
        #expect(decoded.tokens == 58.5)
        #expect(decoded.refilledAt == t0 + 500)
        #expect(decoded.presenceSends == [t0, t0 + 500])
    }

    @Test func unreadableEncodingGivesAFreshBudget() {
        for text in ["", "junk", "1;", "x;5;1,2"] {
            let budget = SendBudget(encoded: text)
            #expect(budget.tokens == SendBudget.bucketCapacity, "\(text)")
            #expect(budget.presenceSends.isEmpty, "\(text)")
        }
        #expect(SendBudget(encoded: "99000;5;").tokens == SendBudget.bucketCapacity)
        #expect(SendBudget(encoded: "1000;5;7,bad,9").presenceSends == [7, 9])
    }

    @Test func integerParsing() {
        #expect(StoredFields.integer("-42") == -42)
        #expect(StoredFields.integer("0017") == 17)
        #expect(StoredFields.integer("-") == nil)
        #expect(StoredFields.integer("1-2") == nil)
        #expect(StoredFields.integer("1234567890123456789") == nil)
    }
}
