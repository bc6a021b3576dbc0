import NavidromeJSON
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String, maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONError) -> JSONValue {
        try JSONValue.parse(text, maxDepth: maxDepth)
    }

    func error(_ text: String) -> JSONError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    func error(bytes: [UInt8]) -> JSONError? {
        do {
            _ = try JSONValue.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func scalarsAndContainers() throws {
        #expect(try parse(" null ") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("[1, -2, 3.5, \"x\", false, null, {}]") ==
            .array([.int(1), .int(-2), .double(3.5), .string("x"), .bool(false), .null, .object(JSONObject())]))
        let object = try parse(#"{"a": {"b": [1, {"c": "d"}]}, "a2": 1}"#)
        #expect(object["a"]?["b"]?.arrayValue?.count == 2)
        #expect(object["a2"] == .int(1))
    }

    @Test func duplicateKeysLastWins() throws {
        #expect(try parse(#"{"k": 1, "k": 2}"#)["k"] == .int(2))
    }

    /// The lazy reader finds a key by its decoded name: the escaped "k\u0041" is `kA`, and the
    /// key written `k\\u0041` is the seven characters `k\u0041` (a fuzzer found them mixed up).
    @Test func lazyReaderMatchesKeysAfterDecodingEscapes() throws {
        let lazy = try JSONLazyObject(text: #"{"k\\u0041": 1, "k\u0041": 2}"#)
        #expect(try lazy.value(#"k\u0041"#) == .int(1))
        #expect(try lazy.value("kA") == .int(2))
        #expect(try parse(#"{"k\\u0041": 1, "k\u0041": 2}"#)[#"k\u0041"#] == .int(1))
    }

    @Test func integersAndDoubles() throws {
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("-9223372036854775808") == .int(Int64.min))
        #expect(try parse("9223372036854775808") == .double(9223372036854775808.0))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try parse("0.1") == .double(0.1))
        #expect(try parse("1e23") == .double(1e23))
        #expect(try parse("2.2250738585072011e-308") == .double(Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)))
        #expect(try parse("4.9406564584124654e-324") == .double(Double(bitPattern: 1)))
        #expect(try parse("2.4703282292062328e-324") == .double(Double(bitPattern: 1)))
        #expect(try parse("2.4703282292062327e-324") == .double(0))
        #expect(try parse("1.7976931348623157e308") == .double(1.7976931348623157e308))
        #expect(try parse("9007199254740993.0") == .double(9007199254740992.0))
        #expect(try parse("9007199254740995.0") == .double(9007199254740996.0))
        #expect(try parse("0.30000000000000004") == .double(0.30000000000000004))
        #expect(try parse("-0.0") == .double(-0.0))
        #expect(try parse("1e-400") == .double(0))
        #expect(try parse("0." + String(repeating: "0", count: 5000) + "1") == .double(0))
        #expect(try parse("1" + String(repeating: "0", count: 300)) == .double(1e300))
    }

    /// Decimal text of every shape (long mantissas, halfway cases, subnormals, overflow edges)
    /// converts exactly as the platform's correctly rounded `Double(String)` does.
    @Test func decimalConversionMatchesStandardLibrary() throws {
        var state: UInt64 = 0x0DDB_1A5E_5BAD_5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<20_000 {
            var text = String(next(9) + 1)
            for _ in 0..<[1, 5, 16, 17, 20, 40, 120, 900][next(8)] { text += String(next(10)) }
            if next(2) == 0 { text.insert(".", at: text.index(text.startIndex, offsetBy: 1)) }
            text += "e\(next(680) - 340)"
            guard let expected = Double(text), expected.isFinite else { continue }
            #expect(try parse(text) == .double(expected), "\(text)")
        }
        // The largest exact divisions the converter does (801 kept digits, 10^1131 divisor).
        for text in [String(repeating: "9", count: 801) + "e-1131", String(repeating: "9", count: 801) + "e-1130",
                     "1" + String(repeating: "0", count: 799) + "1e-1130", String(repeating: "7", count: 2000) + "e-2300",
                     String(repeating: "4", count: 1500) + "e-1500", "0." + String(repeating: "0", count: 320) + "4941"] {
            #expect(try parse(text) == .double(Double(text)!), "\(text.prefix(20))…")
        }
        // Exactly halfway between two doubles, and a hair either side of it.
        for text in ["9007199254740993e0", "9007199254740993.0000000000000000000001", "9007199254740992.9999999999999999999999",
                     "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324"] {
            #expect(try parse(text) == .double(Double(text)!), "\(text)")
        }
    }

    @Test func doublesRoundTripThroughSerializer() throws {
        var state: UInt64 = 0x1234_5678_9ABC_DEF0
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let d = Double(bitPattern: state >> 1)
            guard d.isFinite else { continue }
            let text = JSONValue.double(d).serializedString()
            #expect(try parse(text) == .double(d), "\(text)")
        }
    }

    @Test func stringsAndEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\u00e9\u20AC\ud83c\udfb5""#) == .string("é€🎵"))
        #expect(try parse("\"é€🎵\"") == .string("é€🎵"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    /// Strings are scanned eight bytes at a time: every special byte must be found at every
    /// position of a word, in runs of every length, and plain runs around escapes kept intact.
    @Test func specialBytesAtEveryPositionOfAWord() throws {
        let specials: [(json: String, decoded: String)] = [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"),
                                                            (#"\u00e9"#, "é"), (#"\ud83c\udfb5"#, "🎵"),
                                                            ("é", "é"), ("—", "—"), ("🎵", "🎵")]
        for length in 0..<20 {
            for position in 0...length {
                let before = String(repeating: "a", count: position)
                let after = String(repeating: "b", count: length - position)
                for special in specials {
                    let text = "\"" + before + special.json + after + special.json + "\""
                    let decoded = before + special.decoded + after + special.decoded
                    #expect(try parse(text) == .string(decoded), "\(text)")
                    let lazy = try JSONLazyObject(text: "{\"k\":" + text + "}")
                    #expect(try lazy.stringBytes("k") == Array(decoded.utf8), "\(text)")
                }
                let control = error("\"" + before + "\u{1F}" + after + "\"")
                #expect(control?.kind == .unexpectedByte && control?.offset == 1 + position)
                let unterminated = error("\"" + before + after)
                #expect(unterminated?.kind == .unexpectedEnd && unterminated?.offset == 0)
                let badUTF8 = error(bytes: [0x22] + Array(before.utf8) + [0xC0, 0xAF] + Array(after.utf8) + [0x22])
                #expect(badUTF8?.kind == .invalidUnicode && badUTF8?.offset == 1 + position)
            }
        }
    }

    @Test func malformedInputGivesOffsetErrors() {
        let cases: [(String, JSONError.Kind, Int)] = [
            ("", .unexpectedEnd, 0),
            ("{\"a\":", .unexpectedEnd, 5),
            ("[1,]", .unexpectedByte, 3),
            ("{\"a\" 1}", .unexpectedByte, 5),
            ("{a:1}", .unexpectedByte, 1),
            ("01", .invalidNumber, 0),
            ("-", .unexpectedEnd, 0),
            ("1.", .invalidNumber, 0),
            ("1e", .invalidNumber, 0),
            ("tru", .unexpectedEnd, 3),
            ("nul1", .unexpectedByte, 0),
            ("\"abc", .unexpectedEnd, 0),
            (#""\x""#, .invalidEscape, 1),
            (#""\u12G4""#, .invalidEscape, 1),
            (#""\u12""#, .invalidEscape, 1),
            (#""\ud800""#, .invalidUnicode, 1),
            (#""\ud800\u0041""#, .invalidUnicode, 7),
            (#""\udc00""#, .invalidUnicode, 1),
            ("\"a\u{1}\"", .unexpectedByte, 2),
            ("1 2", .trailingData, 2),
            ("1e400", .numberOutOfRange, 0),
            ("-1e99999999999", .numberOutOfRange, 0),
        ]
        for (text, kind, offset) in cases {
            let e = error(text)
            #expect(e?.kind == kind, "\(text)")
            #expect(e?.offset == offset, "\(text)")
            #expect(e?.message.hasPrefix("invalid JSON at byte \(offset): ") == true, "\(text): \(e?.message ?? "")")
        }
    }

    @Test func invalidUTF8IsRejected() {
        for bad: [UInt8] in [[0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
                             [0x22, 0xE2, 0x82, 0x22], [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22]] {
            #expect(error(bytes: bad)?.kind == .invalidUnicode || error(bytes: bad)?.kind == .unexpectedEnd)
        }
    }

    @Test func everyTruncationIsAnError() {
        let doc = Array(#"{"op":0,"d":{"s":"\u00e9🎵","n":[1.5e3,-2,true,null]},"t":"READY"}"#.utf8)
        for n in 0..<doc.count {
            #expect(error(bytes: Array(doc[0..<n])) != nil, "prefix \(n)")
        }
        #expect(error(bytes: doc) == nil)
    }

    @Test func deepNestingIsLimited() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(error(deep)?.kind == .tooDeep)
        let deepObject = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(error(deepObject)?.kind == .tooDeep)
        #expect((try? parse(String(repeating: "[", count: 256) + String(repeating: "]", count: 256))) != nil)
        #expect(error(String(repeating: "[", count: 257) + String(repeating: "]", count: 257))?.kind == .tooDeep)
    }

    @Test func serializerRoundTrips() throws {
        let text = #"{"s":"q\"\\\n\u0001é🎵","i":-42,"d":215.5,"b":[true,false,null],"o":{}}"#
        let value = try parse(text)
        let out = value.serializedString()
        #expect(out == #"{"s":"q\"\\\n\u0001é🎵","i":-42,"d":215.5,"b":[true,false,null],"o":{}}"#)
        #expect(try parse(out) == value)
        for i: Int64 in [0, 7, -7, 10, 99, 100, -1_764_000_000_000, Int64.max, Int64.min] {
            #expect(JSONValue.int(i).serializedString() == "\(i)")
        }
    }
}
