// libFuzzer target: what the web console parses from outside — settings forms as a browser
// submits them (read against a schema with every kind of field), plugin config schemas
// (rendered and read back), and gateway frames on the presence board.
//
// Invariants (checked in `ConsoleFuzzing.run`): a stored secret never reaches a page, pages stay
// bounded, and the board keeps no activity text over 256 characters.

@_spi(Fuzzing) import Console
import Foundation
import LibFuzzer

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ConsoleFuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
