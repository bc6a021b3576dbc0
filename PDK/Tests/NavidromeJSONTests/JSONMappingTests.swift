import NavidromeJSON
import Testing

struct Artist: JSONDecodable, JSONEncodable, Equatable {
    var name: String
    var mbid: String
    init(name: String, mbid: String) {
        self.name = name
        self.mbid = mbid
    }
    init(json: JSONObjectReader) throws(JSONError) {
        name = try json.string("name")
        mbid = try json.string("mbid")
    }
    func encode(to json: inout JSONObjectWriter) {
        json.set("name", name)
        json.set("mbid", mbid, omitEmpty: true)
    }
}

struct Song: JSONDecodable, JSONEncodable, Equatable {
    var title: String
    var seconds: Double
    var plays: Int64
    var artists: [Artist]
    var cover: [UInt8]
    init(json: JSONObjectReader) throws(JSONError) {
        title = try json.string("title")
        seconds = try json.double("seconds")
        plays = try json.int64("plays")
        artists = try json.array("artists")
        cover = try json.bytes("cover")
    }
    func encode(to json: inout JSONObjectWriter) {
        json.set("title", title)
        json.set("seconds", seconds)
        json.set("plays", plays, omitEmpty: true)
        json.set("artists", artists)
        json.set("cover", bytes: cover, omitEmpty: true)
    }
}

@Suite struct JSONMappingTests {
    @Test func decodeAndEncode() throws {
        let song = try Song.decode(json: #"{"title":"T","seconds":215.5,"plays":3,"artists":[{"name":"A","mbid":"m"}],"cover":"AQI="}"#)
        #expect(song.title == "T" && song.seconds == 215.5 && song.plays == 3 && song.cover == [1, 2])
        #expect(song.artists == [Artist(name: "A", mbid: "m")])
        #expect(song.jsonString() == #"{"title":"T","seconds":215.5,"plays":3,"artists":[{"name":"A","mbid":"m"}],"cover":"AQI="}"#)
        #expect(try Song.decode(json: song.jsonBytes()) == song)
    }

    @Test func missingAndNullMembersAreZeroValues() throws {
        let song = try Song.decode(json: #"{"title":null}"#)
        #expect(song.title == "" && song.seconds == 0 && song.artists.isEmpty && song.cover.isEmpty)
        #expect(song.jsonString() == #"{"title":"","seconds":0.0,"artists":[]}"#)
    }

    @Test func typeMismatchesNameThePath() {
        func message(_ text: String) -> String? {
            do {
                _ = try Song.decode(json: text)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message(#"{"seconds":"long"}"#) == "field 'seconds': expected number, found string")
        #expect(message(#"{"plays":1.5}"#) == "field 'plays': expected integer, found number")
        #expect(message(#"{"artists":[{"name":1}]}"#) == "field 'artists[0].name': expected string, found number")
        #expect(message(#"{"artists":{}}"#) == "field 'artists': expected array, found object")
        #expect(message(#"{"cover":"@@"}"#)?.hasPrefix("field 'cover': invalid base64") == true)
        #expect(message("[]") == "expected a JSON object, found array")
    }

    @Test func arrayOfObjects() throws {
        let artists = try [Artist].decode(json: #"[{"name":"A","mbid":"1"},{"name":"B"}]"#)
        #expect(artists == [Artist(name: "A", mbid: "1"), Artist(name: "B", mbid: "")])
        #expect(throws: JSONError.self) { try [Artist].decode(json: #"{"name":"A"}"#) }
        #expect(throws: JSONError.self) { try [Artist].decode(json: #"[{"name":2}]"#) }
    }

    @Test func byteEquality() {
        #expect("café".hasSameUTF8(as: "caf\u{e9}"))
        #expect(!"café".hasSameUTF8(as: "cafe\u{301}"))  // canonically equivalent, different bytes
        #expect(!"abc".hasSameUTF8(as: "abcd"))
        #expect("".hasSameUTF8(as: ""))
        let abc: [UInt8] = Array("abc".utf8), abd: [UInt8] = Array("abd".utf8)
        abc.withUnsafeBufferPointer { abc in
            abd.withUnsafeBufferPointer { abd in
                #expect(abc.hasSameBytes(as: abc) && !abc.hasSameBytes(as: abd))
                #expect(!abc.hasSameBytes(as: UnsafeBufferPointer(rebasing: abc[0..<2])))
                #expect(UnsafeBufferPointer(rebasing: abc[0..<0]).hasSameBytes(as: UnsafeBufferPointer(rebasing: abd[0..<0])))
            }
        }
    }

    @Test func base64() throws {
        for n in 0..<10 {
            let bytes = (0..<n).map { UInt8($0 * 37 & 0xFF) }
            #expect(try Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8=")
        #expect(throws: JSONError.self) { try Base64.decode("aGVsbG8") }
        #expect(throws: JSONError.self) { try Base64.decode("a=Gv") }
    }
}

@Suite struct JSONLazyObjectTests {
    @Test func readsSelectedMembersOnly() throws {
        let big = "[" + (0..<5000).map { "{\"id\":\"\($0)\",\"name\":\"x\\u00e9\"}" }.joined(separator: ",") + "]"
        let text = #"{"t":"READY","s":1,"op":0,"d":{"guilds":"# + big + #","session_id":"abc","resume_gateway_url":"wss://r"}}"#
        let event = try JSONLazyObject(text: text)
        #expect(try event.int64("op") == 0)
        #expect(try event.string("t") == "READY")
        #expect(try event.int64("s") == 1)
        let d = try #require(try event.object("d"))
        #expect(try d.string("session_id") == "abc")
        #expect(try d.string("resume_gateway_url") == "wss://r")
        #expect(try event.string("missing") == nil)
        #expect(event.keys == ["t", "s", "op", "d"])
    }

    @Test func nullAndEscapedKeys() throws {
        let event = try JSONLazyObject(text: #"{"s":null,"d":null,"k\u0065y":"v"}"#)
        #expect(try event.int64("s") == nil)
        #expect(try event.object("d") == nil)
        #expect(try event.string("key") == "v")
        #expect(try event.stringBytes("s") == nil)
        #expect(try event.stringBytes("missing") == nil)
    }

    /// Values are skipped by a fast scan that hands anything unusual to the checking one: both
    /// must accept the same documents, and errors must come from the checking one.
    @Test func skippedValuesAcceptAndRejectLikeTheParser() throws {
        let valid = [#"[1.5e3,-0,0.25,1E-2,true,false,null,{},[],"\u00e9\ud83c\udfb5🎵\u20ac—é"]"#,
                     #"{"a":{"b":[{"c":"\"x\""}]} , "e" : [ 1 , 2 ] }"#, "1" + String(repeating: "0", count: 305) + ".5"]
        for d in valid {
            let event = try JSONLazyObject(text: #"{"d":"# + d + #","t":"X"}"#)
            #expect(try event.string("t") == "X")
            #expect(try event.value("d") == (try JSONValue.parse(d)), "\(d)")
        }
        let invalid: [(String, JSONError.Kind, Int)] = [
            (#"{"d":[01]}"#, .invalidNumber, 6), (#"{"d":[1e400]}"#, .numberOutOfRange, 6),
            (#"{"d":{"a":1,}}"#, .unexpectedByte, 12), (#"{"d":["\ud800"]}"#, .invalidUnicode, 7),
            (#"{"d":[tru]}"#, .unexpectedByte, 6), (#"{"d":[1,]}"#, .unexpectedByte, 8),
            (#"{"d":["a\x"]}"#, .invalidEscape, 8), (#"{"d":[[[1]]]}"#, .tooDeep, 7),
        ]
        for (text, kind, offset) in invalid {
            do {
                _ = try JSONLazyObject(bytes: Array(text.utf8), maxDepth: 3)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.kind == kind && error.offset == offset, "\(text): \(error.message)")
            }
        }
    }

    @Test func stringBytesDecodeEscapesAndNameMismatches() throws {
        let event = try JSONLazyObject(text: #"{"message":"{\"op\":0,\"t\":\"caf\u00e9 — ok\"}","n":1}"#)
        #expect(try event.stringBytes("message") == Array(#"{"op":0,"t":"café — ok"}"#.utf8))
        #expect(throws: JSONError.mismatch("field 'n': expected string, found number")) { try event.stringBytes("n") }
    }

    @Test func malformedInputIsAnError() {
        for text in [#"{"op":1"#, #"{"op":1,"d":{"x":[1,2}}"#, #"{"op":"\ud800"}"#, "[1]", #"{"op":1} x"#,
                     String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)] {
            #expect(throws: JSONError.self, "\(text.prefix(40))") { try JSONLazyObject(text: text) }
        }
    }
}
