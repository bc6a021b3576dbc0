import Testing
import TonearmJSON

/// The value type, the strict parser and ordered objects.
@Suite struct JSONValueTests {
    @Test func integersAndFractionsStayApart() throws {
        let value = try JSONValue.parse(#"{"a": 1700000000000, "b": 1.5, "c": -0, "d": 1e3, "e": "x\u00e9\ud83c\udfb5"}"#)
        #expect(value["a"] == .integer(1_700_000_000_000))
        #expect(value["b"] == .number(1.5))
        #expect(value["c"] == .integer(0))
        #expect(value["d"] == .number(1000))
        #expect(value["e"]?.stringValue == "xé🎵")
        // Beyond Int64: a double, range-checked by whoever converts it.
        #expect(try JSONValue.parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try JSONValue.parse("-9223372036854775808") == .integer(.min))
    }

    @Test func roundTripsThroughText() throws {
        let value: JSONValue = ["op": 3, "d": ["list": [true, nil, "q\"uote\n<&>"], "n": .number(0.25)]]
        #expect(try JSONValue.parse(value.goJSON) == value)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "nul", "{} x", "\"\u{01}\"", "1e400", "-1e400",
                      "\"\\ud800\"", "[1] // comment", "NaN"])
    func rejectsInvalidText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func errorsNameTheOffset() {
        let error = #expect(throws: JSONParseError.self) { try JSONValue.parse(#"{"a" 1}"#) }
        #expect(error?.description == "invalid JSON at byte 5: expected ':'")
    }

    @Test func nestingIsLimited() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        #expect(error?.message == "nesting deeper than 64")
        #expect(throws: Never.self) { try JSONValue.parse(deep, maxDepth: 65) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[[[1]]]", maxDepth: 2) }
    }

    @Test func objectsKeepTheirOrderAndTheLastOfARepeatedKey() throws {
        let value = try JSONValue.parse(#"{"z": 1, "a": 2, "m": 3, "a": 4}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["a"] == .integer(4))
        #expect(value.goJSON == #"{"z":1,"a":4,"m":3}"#)
        #expect(value.sortingKeys().goJSON == #"{"a":4,"m":3,"z":1}"#)
        // Equal whatever the order, as JSON means it.
        #expect(value == ["m": 3, "z": 1, "a": 4])
        #expect(Set<JSONValue>([value, ["a": 4, "m": 3, "z": 1]]).count == 1)
    }

    @Test func objectsBuiltInOrder() {
        var object: JSONObject = [("b", 1), ("a", "x")]
        object["c"] = true
        object["b"] = nil
        #expect(JSONValue.object(object).goJSON == #"{"a":"x","c":true}"#)
        #expect(JSONValue.object(JSONObject(["b": 1, "a": 2] as [String: JSONValue])).goJSON == #"{"a":2,"b":1}"#)
    }

    @Test func float32FieldsAreWrittenWithFloat32Digits() {
        #expect(JSONValue.float32(245.3).goJSON == "245.3")
        #expect(JSONValue.float32(0.1).goJSON == "0.1")
        #expect(JSONValue.number(Double(Float(245.3))).goJSON == "245.3000030517578")
    }
}
