import Foundation
import Testing
import TonearmJSON
@testable import PluginRuntime

/// Plugin settings of every magnitude load, flattened as Go writes a float64 (the writer's own
/// table is `GoJSONWriterTests`), or are refused naming the key; none traps.
@Suite(.timeLimit(.minutes(1))) struct GoNumberTests {
    @Test func aHugeSettingLoadsThePlugin() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let schema = #",\#"config\#":{\#"schema\#":{\#"type\#":\#"object\#",\#"properties\#":{\#"big\#":{\#"type\#":\#"number\#"}}}}"#
        let path = try folder.package("big", manifest: TestFolder.manifest(extra: schema), wat: "(module)")
        for (setting, expected) in [(1e19, "10000000000000000000"), (-1e19, "-10000000000000000000"),
                                    (9.3e18, "9300000000000000000"), (1e300, "1e+300"),
                                    (1e21, "1e+21"), (1e-7, "1e-7")] {
            let loaded = try testLoader(folder, settings: ["big": ["Big": .number(setting)]]).load(path: path)
            #expect(loaded.config["big"] == expected)
        }
    }

    @Test func hugeIntegerSettingsAreRefusedByName() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let schema = #",\#"config\#":{\#"schema\#":{\#"type\#":\#"object\#",\#"properties\#":{\#"count\#":{\#"type\#":\#"integer\#",\#"minimum\#":-1000,\#"maximum\#":1000}}}}"#
        let path = try folder.package("count", manifest: TestFolder.manifest(extra: schema), wat: "(module)")
        for (setting, problem) in [(1e19, "must be ≤ 1000"), (1e300, "must be ≤ 1000"),
                                   (-1e19, "must be ≥ -1000"), (9.3e18, "must be ≤ 1000")] {
            let error = #expect(throws: PluginLoadError.self) {
                try testLoader(folder, settings: ["count": ["Count": .number(setting)]]).load(path: path)
            }
            #expect(error?.reason == "invalid settings: PluginSettings.count.count: \(problem)", "\(setting)")
        }
    }

    @Test func hugeNumbersFlattenAsGoWritesThem() {
        #expect(ConfigSchema.flatten(["a": .number(1e19), "b": .number(1e300), "c": .number(-1e19), "d": .number(9.3e18)])
            == ["a": "10000000000000000000", "b": "1e+300", "c": "-10000000000000000000", "d": "9300000000000000000"])
    }
}
