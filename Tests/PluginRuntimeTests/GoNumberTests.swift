import Foundation
import Testing
@testable import PluginRuntime

/// Numbers written the way Go's `encoding/json` writes a float64, for every magnitude.
@Suite(.timeLimit(.minutes(1))) struct GoNumberTests {
    @Test func wholeNumbersBelow1e21AreWrittenInFull() {
        #expect(JSONValue.goNumber(3) == "3")
        #expect(JSONValue.goNumber(-42) == "-42")
        #expect(JSONValue.goNumber(9.3e18) == "9300000000000000000")
        #expect(JSONValue.goNumber(9_223_372_036_854_775_808) == "9223372036854776000")
        #expect(JSONValue.goNumber(1e19) == "10000000000000000000")
        #expect(JSONValue.goNumber(-1e19) == "-10000000000000000000")
        #expect(JSONValue.goNumber(1e20) == "100000000000000000000")
        #expect(JSONValue.goNumber(123_456_789_012_345_683_968) == "123456789012345680000")
    }

    @Test func exponentFormOutsidePlainRange() {
        #expect(JSONValue.goNumber(1e21) == "1e+21")
        #expect(JSONValue.goNumber(-1.5e300) == "-1.5e+300")
        #expect(JSONValue.goNumber(1e-7) == "1e-7")
        #expect(JSONValue.goNumber(1.25e-10) == "1.25e-10")
        #expect(JSONValue.goNumber(.leastNonzeroMagnitude) == "5e-324")
        #expect(JSONValue.goNumber(.greatestFiniteMagnitude) == "1.7976931348623157e+308")
    }

    @Test func fractionsAndZero() {
        #expect(JSONValue.goNumber(0.5) == "0.5")
        #expect(JSONValue.goNumber(0.000001) == "0.000001")
        #expect(JSONValue.goNumber(123.456) == "123.456")
        #expect(JSONValue.goNumber(0) == "0")
        #expect(JSONValue.goNumber(-0.0) == "-0")
    }

    @Test func nonFiniteNumbersNeverTrap() {
        #expect(JSONValue.goNumber(.infinity) == "null")
        #expect(JSONValue.goNumber(-.infinity) == "null")
        #expect(JSONValue.goNumber(.nan) == "null")
    }

    @Test func aHugeSettingLoadsThePlugin() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let schema = #",\#"config\#":{\#"schema\#":{\#"type\#":\#"object\#",\#"properties\#":{\#"big\#":{\#"type\#":\#"number\#"}}}}"#
        let path = try folder.package("big", manifest: TestFolder.manifest(extra: schema), wat: "(module)")
        for (setting, expected) in [("1e19", "10000000000000000000"), ("-1e19", "-10000000000000000000"),
                                    ("9.3e18", "9300000000000000000"), ("1e300", "1e+300"),
                                    ("1e21", "1e+21"), ("1e-7", "1e-7")] {
            let loaded = try testLoader(folder, settings: "[PluginSettings.big]\nBig = \(setting)").load(path: path)
            #expect(loaded.config["big"] == expected)
        }
    }

    @Test func hugeIntegerSettingsAreRefusedByName() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let schema = #",\#"config\#":{\#"schema\#":{\#"type\#":\#"object\#",\#"properties\#":{\#"count\#":{\#"type\#":\#"integer\#",\#"minimum\#":-1000,\#"maximum\#":1000}}}}"#
        let path = try folder.package("count", manifest: TestFolder.manifest(extra: schema), wat: "(module)")
        for (setting, problem) in [("1e19", "must be ≤ 1000"), ("1e300", "must be ≤ 1000"),
                                   ("-1e19", "must be ≥ -1000"), ("9.3e18", "must be ≤ 1000")] {
            let error = #expect(throws: PluginLoadError.self) {
                try testLoader(folder, settings: "[PluginSettings.count]\nCount = \(setting)").load(path: path)
            }
            #expect(error?.reason == "invalid settings: PluginSettings.count.count: \(problem)", "\(setting)")
        }
    }

    @Test func hugeNumbersFlattenAsGoWritesThem() {
        #expect(ConfigSchema.flatten(["a": .number(1e19), "b": .number(1e300), "c": .number(-1e19), "d": .number(9.3e18)])
            == ["a": "10000000000000000000", "b": "1e+300", "c": "-10000000000000000000", "d": "9300000000000000000"])
    }
}
