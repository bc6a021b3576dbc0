import Testing
import TonearmJSON

/// The writer's output against what Go's `encoding/json` `Marshal` writes for the same value
/// (Go 1.22 and later), byte for byte.
@Suite struct GoJSONWriterTests {
    /// float64 values and Go's text for them.
    static let float64Table: [(Double, String)] = [
        (3.0, "3"),
        (-42, "-42"),
        (0, "0"),
        (-0.0, "-0"),
        (0.1, "0.1"),
        (0.5, "0.5"),
        (123.456, "123.456"),
        (0.000001, "0.000001"),
        (1e-6, "0.000001"),
        (1.5e-6, "0.0000015"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e-10, "1e-10"),
        (1.25e-10, "1.25e-10"),
        (5e-324, "5e-324"),
        (1e19, "10000000000000000000"),
        (-1e19, "-10000000000000000000"),
        (9.3e18, "9300000000000000000"),
        (1e20, "100000000000000000000"),
        // 2^63: Go writes the shortest digits (9.223372036854776e18) padded with zeros, as
        // strconv.FormatFloat(x, 'f', -1, 64) does; it does not print the exact integer.
        (9_223_372_036_854_775_808.0, "9223372036854776000"),
        (123_456_789_012_345_683_968, "123456789012345680000"),
        (999_999_999_999_999_868_928, "999999999999999900000"),
        (1e21, "1e+21"),
        (-1e21, "-1e+21"),
        (1e22, "1e+22"),
        (1.5e300, "1.5e+300"),
        (1e300, "1e+300"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
    ]

    /// float32 values (Go `float32` fields, such as `TrackInfo.duration`) and Go's text.
    static let float32Table: [(Float, String)] = [
        (0.1, "0.1"),
        (245.3, "245.3"),
        (3, "3"),
        (-0.0, "-0"),
        (16_777_216, "16777216"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (Float.greatestFiniteMagnitude, "3.4028235e+38"),
        (Float.leastNonzeroMagnitude, "1e-45"),
    ]

    /// Strings and Go's text for them.
    static let stringTable: [(String, String)] = [
        ("", #""""#),
        ("plain", #""plain""#),
        ("\"", #""\"""#),
        ("\\", #""\\""#),
        ("/", #""/""#),
        ("a\nb\rc\td", #""a\nb\rc\td""#),
        ("\u{8}\u{C}", #""\b\f""#),
        ("\u{0}\u{1}\u{1B}\u{1F}", #""\u0000\u0001\u001b\u001f""#),
        ("<a href=\"x\">&amp;</a>", #""\u003ca href=\"x\"\u003e\u0026amp;\u003c/a\u003e""#),
        ("\u{2028}\u{2029}", #""\u2028\u2029""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("é€😀 ü", "\"é€😀 ü\""),
        ("\u{FFFD}", "\"\u{FFFD}\""),
    ]

    /// Byte strings holding invalid UTF-8 (a Go `string` can) and Go's text for them.
    static let invalidUTF8Table: [([UInt8], String)] = [
        ([0x61, 0xFF, 0x62], #""a\ufffdb""#),
        ([0xC0, 0x80], #""\ufffd\ufffd""#),  // overlong
        ([0xED, 0xA0, 0x80], #""\ufffd\ufffd\ufffd""#),  // a surrogate
        ([0xE2, 0x82, 0x61], #""\ufffd\ufffda""#),  // truncated
        ([0xF4, 0x90, 0x80, 0x80], #""\ufffd\ufffd\ufffd\ufffd""#),  // above U+10FFFF
        ([0xE2, 0x82, 0xAC], "\"€\""),
        ([0xE2, 0x80, 0xA8], #""\u2028""#),
    ]

    @Test(arguments: float64Table) func float64(value: Double, go: String) {
        #expect(GoJSONWriter.number(value) == go)
        var bytes: [UInt8] = []
        GoJSONWriter.writeNumber(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == go)
    }

    @Test(arguments: float32Table) func float32(value: Float, go: String) {
        #expect(GoJSONWriter.number(value) == go)
    }

    @Test func nonFiniteNumbersAreWrittenAsNull() {
        for value in [Double.nan, .infinity, -.infinity] { #expect(GoJSONWriter.number(value) == "null") }
        for value in [Float.nan, .infinity, -.infinity] { #expect(GoJSONWriter.number(value) == "null") }
    }

    @Test(arguments: stringTable) func string(value: String, go: String) {
        #expect(JSONValue.string(value).goJSON == go)
    }

    @Test(arguments: invalidUTF8Table) func invalidUTF8(bytes: [UInt8], go: String) {
        var out: [UInt8] = []
        GoJSONWriter.writeString(utf8: bytes, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == go)
    }
}
