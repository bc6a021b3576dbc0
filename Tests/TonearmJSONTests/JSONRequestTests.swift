import Testing

@testable import TonearmJSON

/// Host-service requests read as Go fills a struct; numbers from outside are range-checked.
@Suite struct JSONRequestTests {
    func request(_ text: String) throws -> JSONRequest { try JSONRequest(Array(text.utf8)) }

    @Test func missingAndNullFieldsAreZeroValues() throws {
        for text in ["", "null", "{}", #"{"s":null,"n":null,"b":null,"a":null,"m":null,"o":null}"#] {
            let r = try request(text)
            #expect(try r.string("s") == "" && r.int64("n") == 0 && r.double("n") == 0 && r.bool("b") == false)
            #expect(try r.strings("a") == [] && r.stringMap("m") == [:] && r.bytes("s") == [])
            #expect(try r.object("o").string("s") == "")
        }
    }

    @Test func integersAreRangeChecked() throws {
        #expect(try request(#"{"n":9223372036854775807}"#).int64("n") == .max)
        #expect(try request(#"{"n":-9223372036854775808}"#).int64("n") == .min)
        #expect(try request(#"{"n":1e3}"#).int64("n") == 1000)
        for text in ["9223372036854775808", "1e19", "-1e19", "1e300"] {
            let error = #expect(throws: JSONRequestError.self) { try request("{\"n\":\(text)}").int64("n") }
            #expect(error?.message.hasPrefix("field \"n\" is out of range (-9223372036854775808…9223372036854775807): ") == true, "\(text)")
        }
        #expect(throws: JSONRequestError("field \"n\" must be an integer")) { try request(#"{"n":1.5}"#).int64("n") }
        #expect(throws: JSONRequestError("field \"n\" must be a number")) { try request(#"{"n":"1"}"#).int64("n") }
        #expect(throws: JSONRequestError("field \"n\" is out of range (-2147483648…2147483647): 2147483648")) {
            try request(#"{"n":2147483648}"#).int32("n")
        }
        #expect(throws: JSONRequestError("field \"n\" is out of range (1…5): 0")) { try request(#"{"n":0}"#).int64("n", in: 1...5) }
    }

    @Test func otherFields() throws {
        let r = try request(#"{"d":2.5,"i":3,"b":true,"a":["x",null],"m":{"k":"v","n":null},"x":"/wA"}"#)
        #expect(try r.double("d") == 2.5 && r.double("i") == 3 && r.bool("b"))
        #expect(try r.strings("a") == ["x", ""])
        #expect(try r.stringMap("m") == ["k": "v", "n": ""])
        #expect(try r.bytes("x") == [0xFF, 0])
        #expect(throws: JSONRequestError("field \"a[0]\" must be a string")) { try request(#"{"a":[1]}"#).strings("a") }
        #expect(throws: JSONRequestError("field \"b\" must be a boolean")) { try request(#"{"b":1}"#).bool("b") }
        #expect(throws: JSONRequestError("field \"x\" is not valid base64")) { try request(#"{"x":"%%%"}"#).bytes("x") }
    }

    @Test func bodiesThatAreNotObjects() {
        let error = #expect(throws: JSONRequestError.self) { try request("[1]") }
        #expect(error?.message == "invalid JSON request: expected an object")
        let invalid = #expect(throws: JSONRequestError.self) { try request("{") }
        #expect(invalid?.message.hasPrefix("invalid JSON request: invalid JSON at byte") == true)
    }
}
