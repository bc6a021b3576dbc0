import Foundation
import WasmKit

/// How much fuel a plugin call (or an instantiation) may burn before its deadline.
///
/// A WasmKit store is confined to the thread running it: its fuel counter is a plain integer the
/// interpreter decrements, so no other thread may change it while code runs. A call therefore
/// gets, before it starts, the fuel the interpreter burns in the time until its deadline, and
/// code that never returns to the host (a loop) runs out of fuel about then. Code that does
/// return stops at its first host function past the deadline (see ``RunningCall``).
///
/// The rate is measured once per process, in CPU time of the calibrating thread (so a busy
/// machine does not shrink budgets), on the loop shapes that burn fuel fastest.
enum FuelBudget {
    /// Fuel the interpreter burns per second of CPU time, at its fastest.
    static let perSecond: Double = measure()

    /// The fuel for `seconds` of running (at least 1, never unlimited).
    static func fuel(forSeconds seconds: Double) -> UInt64 {
        let fuel = perSecond * seconds
        guard fuel.isFinite else { return fuel > 0 ? UInt64.max - 1 : 1 }
        guard fuel >= 1 else { return 1 }
        guard fuel < 1.8e19 else { return UInt64.max - 1 }
        return UInt64(fuel)
    }

    /// The highest rate of two loops: a bare `br` loop (one fuel per trip) and a loop of
    /// arithmetic on a local (which the translator fuses, so it burns fuel fastest).
    private static func measure() -> Double {
        let bare: [UInt8] = [0x0c, 0x00]
        let increment: [UInt8] = [0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00]
        let arithmetic = Array(Array(repeating: increment, count: 8).joined()) + bare
        return max(rate(loopBody: bare), rate(loopBody: arithmetic))
    }

    /// Fuel per CPU second of a module whose export `f` loops over `loopBody` forever.
    private static func rate(loopBody: [UInt8]) -> Double {
        let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
        let store = Store(engine: engine)
        guard let module = try? parseWasm(bytes: loopModule(loopBody)),
            let instance = try? module.instantiate(store: store),
            let function = instance.exports[function: "f"]
        else { return 1e9 }
        var budget: UInt64 = 1 << 18
        while budget < 1 << 36 {
            store.fuel = Fuel(remaining: budget)
            let start = cpuSeconds()
            _ = try? function.invoke([])
            let elapsed = cpuSeconds() - start
            if elapsed >= 0.02 { return Double(budget) / elapsed }
            budget <<= 1
        }
        return 1e9
    }

    /// A module exporting `f`, a function with one `i32` local that loops over `body` forever.
    private static func loopModule(_ body: [UInt8]) -> [UInt8] {
        // locals: one i32; loop (empty block type) body end; end. Every size fits one byte.
        let code: [UInt8] = [0x01, 0x01, 0x7f, 0x03, 0x40] + body + [0x0b, 0x0b]
        let codeSection: [UInt8] = [0x01, UInt8(code.count)] + code
        return [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
            + [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]  // type: () -> ()
            + [0x03, 0x02, 0x01, 0x00]  // function 0 has type 0
            + [0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00]  // export "f" = function 0
            + [0x0a, UInt8(codeSection.count)] + codeSection
    }
}
