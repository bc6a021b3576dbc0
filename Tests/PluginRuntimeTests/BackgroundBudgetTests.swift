import Testing

@testable import PluginRuntime

@Suite(.timeLimit(.minutes(1))) struct BackgroundBudgetTests {
    let second: UInt64 = 1_000_000_000
    let start: UInt64 = 1_000 * 1_000_000_000

    @Test func demotionLastsItsDurationAndIsReportedOnce() {
        let budget = BackgroundBudget()
        #expect(!budget.isActive(at: start))
        #expect(budget.demote(for: .seconds(600), at: start))
        #expect(!budget.demote(for: .seconds(600), at: start + second))
        #expect(budget.isActive(at: start + 600 * second))
        #expect(!budget.isActive(at: start + 601 * second))
        // Back in the foreground, a new demotion is reported again.
        #expect(budget.demote(for: .seconds(600), at: start + 700 * second))
    }

    @Test func theBurstIsFreeThenCPUTimeIsPaidBackAtTheShareOfACore() {
        let budget = BackgroundBudget()
        _ = budget.demote(for: .seconds(600), at: start)
        let burst = BackgroundBudget.burstSeconds, cores = BackgroundBudget.cores
        #expect(budget.charge(burst, at: start) == 0)
        // Overdrawn by half a second: the pause lets the balance grow back to zero.
        let pause = budget.charge(0.5, at: start)
        #expect(abs(pause - 0.5 / cores) < 1e-9)
        #expect(budget.charge(0, at: start + UInt64(pause * 1e9)) <= 1e-6)
        // A long idle time refills the balance to the burst and no further.
        #expect(budget.charge(burst, at: start + 3_600 * second) == 0)
        #expect(abs(budget.charge(0.1, at: start + 3_600 * second) - 0.1 / cores) < 1e-9)
    }

    @Test func aNewDemotionStartsWithAFullBalance() {
        let budget = BackgroundBudget()
        _ = budget.demote(for: .seconds(1), at: start)
        #expect(budget.charge(5, at: start) > 0)
        _ = budget.demote(for: .seconds(1), at: start + 10 * second)
        #expect(budget.charge(BackgroundBudget.burstSeconds, at: start + 10 * second) == 0)
    }

    @Test func negativeChargesAreIgnored() {
        let budget = BackgroundBudget()
        _ = budget.demote(for: .seconds(600), at: start)
        #expect(budget.charge(-100, at: start) == 0)
        #expect(budget.charge(BackgroundBudget.burstSeconds + 0.25, at: start) > 0)
    }
}
