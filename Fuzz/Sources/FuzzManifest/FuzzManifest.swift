// libFuzzer target: a plugin's `manifest.json` through `PluginManifest(json:file:)` (field
// types, permissions, the config schema's own checks), then — when the manifest has a config
// schema — the input's top-level `"settings"` object validated against that schema and
// flattened to the strings plugins read (`ConfigSchema.validate`, `ConfigSchema.flatten`,
// Go-style number formatting). Unknown top-level keys such as `"settings"` are ignored by the
// manifest reader, so one input drives both.
//
// Invariants: a manifest that parses has non-empty name, author and version; flattening
// validated settings gives one string per setting.

import Foundation
import LibFuzzer
import PluginRuntime
import TonearmJSON

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let root = try? JSONValue.parse(bytes)
    // Every parsed value formats as Go's JSON without trapping.
    _ = root?.goJSON

    guard let manifest = try? PluginManifest(json: bytes, file: "fuzz.ndp") else { return 0 }
    require(!manifest.name.isEmpty && !manifest.author.isEmpty && !manifest.version.isEmpty, "empty required field")
    guard let schema = manifest.configSchema else { return 0 }
    let settings = root?["settings"]?.objectValue?.dictionary ?? [:]
    guard let validated = try? schema.validate(settings) else { return 0 }
    let flat = ConfigSchema.flatten(validated)
    require(flat.count == validated.count, "flatten lost settings")
    return 0
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzManifest invariant: \(message())") }
}
