// libFuzzer target: `.ndp` packages (zip archives holding `manifest.json` and `plugin.wasm`)
// through `PluginPackage(contentsOf:)`: the zip directory and entries, size limits, extraction,
// then the manifest. The input is written to a scratch file because packages are read from a
// path.
//
// Invariants: a package that loads has the id of its file name and a manifest with non-empty
// name, author and version; its wasm is within the size limit.

import Foundation
import LibFuzzer
import PluginRuntime

/// A folder of this process under the temporary directory (`TMPDIR`; `scripts/fuzz` points it
/// at memory), removed at exit.
private let scratch: String = {
    let folder = NSTemporaryDirectory() + "/tonearm-fuzz-package-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: scratch) }
    return folder
}()

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = "\(scratch)/fuzz.ndp"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else {
        fatalError("FuzzPackage: cannot write \(path)")
    }
    guard let package = try? PluginPackage(contentsOf: path) else { return 0 }
    require(package.id == "fuzz", "package id \(package.id)")
    require(!package.manifest.name.isEmpty && !package.manifest.author.isEmpty, "empty required manifest field")
    require(package.wasm.count <= PluginPackage.maxWasmBytes, "wasm beyond the limit")
    return 0
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzPackage invariant: \(message())") }
}
