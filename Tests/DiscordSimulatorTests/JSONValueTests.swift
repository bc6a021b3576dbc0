import DiscordSimulator
import Testing

@Suite("JSON values", .timeLimit(.minutes(1)))
struct JSONValueTests {
    @Test func integersAndFractionsStayApart() throws {
        let value = try JSONValue.parse(#"{"a": 1700000000000, "b": 1.5, "c": -0, "d": 1e3, "e": "x\u00e9\ud83c\udfb5"}"#)
        #expect(value["a"] == .integer(1_700_000_000_000))
        #expect(value["b"] == .number(1.5))
        #expect(value["c"] == .integer(0))
        #expect(value["d"] == .number(1000))
        #expect(value["e"]?.stringValue == "xé🎵")
    }

    @Test func roundTripsThroughText() throws {
        let value: JSONValue = ["op": 3, "d": ["list": [true, nil, "q\"uote\n"], "n": .number(0.25)]]
        #expect(try JSONValue.parse(value.jsonText) == value)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "nul", "{} x", "\"\u{01}\""])
    func rejectsInvalidText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }
}
