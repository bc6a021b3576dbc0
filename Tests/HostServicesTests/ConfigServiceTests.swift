import PluginRuntime
import Testing
import TonearmJSON

@testable import HostServices

@Suite(.timeLimit(.minutes(1))) struct ConfigServiceTests {
    let functions = ConfigService().functions(
        for: makeContext(config: ["clientid": "123", "count": "3", "ratio": "3.0", "users": "[{\"a\":1}]", "empty": ""]))

    @Test func getReturnsValueAndOmitsEmptyFields() async throws {
        #expect(try await invoke(functions["config_get"], ["key": "clientid"]).text == #"{"value":"123","exists":true}"#)
        #expect(try await invoke(functions["config_get"], ["key": "missing"]).text == "{}")
        // An existing empty string: exists only, value left out (Go omitempty).
        #expect(try await invoke(functions["config_get"], ["key": "empty"]).text == #"{"exists":true}"#)
    }

    @Test func getIntParsesBase10Only() async throws {
        #expect(try await invoke(functions["config_getint"], ["key": "count"]).text == #"{"value":3,"exists":true}"#)
        #expect(try await invoke(functions["config_getint"], ["key": "ratio"]).text == "{}")
        #expect(try await invoke(functions["config_getint"], ["key": "clientid"]).text == #"{"value":123,"exists":true}"#)
    }

    @Test func keysAreSortedAndFilteredByPrefix() async throws {
        #expect(
            try await invoke(functions["config_keys"], ["prefix": ""]).text
                == #"{"keys":["clientid","count","empty","ratio","users"]}"#)
        #expect(try await invoke(functions["config_keys"], ["prefix": "c"]).text == #"{"keys":["clientid","count"]}"#)
        #expect(try await invoke(functions["config_keys"], ["prefix": "zzz"]).text == "{}")
    }

    @Test func malformedRequestGivesErrorNotTrap() async throws {
        let text = try await invokeRaw(functions["config_get"], Array("{not json".utf8))
        #expect(text.hasPrefix(#"{"error":"invalid JSON request"#))
        // null fields are tolerated as Go's zero values.
        #expect(try await invokeRaw(functions["config_keys"], Array(#"{"prefix":null}"#.utf8)).contains("clientid"))
        #expect(try await invokeRaw(functions["config_get"], Array(#"{"key":5}"#.utf8)) == #"{"error":"field \"key\" must be a string"}"#)
    }
}

@Suite(.timeLimit(.minutes(1))) struct UsersServiceTests {
    @Test func listsAssignedUsersAndAdmins() async throws {
        let access = PluginAccess(allUsers: false, users: ["ALICE", "root"], allowAdmins: true, directory: everyone)
        let functions = UsersService().functions(for: makeContext(access: access))
        #expect(
            try await invoke(functions["users_getusers"]).text
                == #"{"result":[{"userName":"alice","name":"Alice A.","isAdmin":false},{"userName":"root","name":"Admin","isAdmin":true}]}"#)
        #expect(
            try await invoke(functions["users_getadmins"]).text
                == #"{"result":[{"userName":"root","name":"Admin","isAdmin":true}]}"#)
    }

    @Test func adminsHiddenUnlessAllowedAndEmptyListOmitted() async throws {
        let access = PluginAccess(allUsers: false, users: ["root"], allowAdmins: false, directory: everyone)
        let functions = UsersService().functions(for: makeContext(access: access))
        #expect(try await invoke(functions["users_getusers"]).text == "{}")
        #expect(try await invoke(functions["users_getadmins"]).text == "{}")
    }
}

@Suite(.timeLimit(.minutes(1))) struct HostJSONTests {
    @Test func encodesLikeGo() {
        #expect(JSONValue.string("<a&b>\u{1}\"\\\n").goJSONBytes() == Array(#""\u003ca\u0026b\u003e\u0001\"\\\n""#.utf8))
        #expect(JSONValue.number(3).goJSONBytes() == Array("3".utf8))
        #expect(JSONValue.number(-2.5).goJSONBytes() == Array("-2.5".utf8))
        #expect(JSONValue.number(1e20).goJSONBytes() == Array("100000000000000000000".utf8))
        #expect(JSONValue.number(1e-7).goJSONBytes() == Array("1e-7".utf8))
        #expect(JSONValue.bytes([0xFF, 0x00]).goJSONBytes() == Array(#""/wA=""#.utf8))
        #expect(JSONValue.map(["b": .integer(1), "a": .integer(2)]).goJSONBytes() == Array(#"{"a":2,"b":1}"#.utf8))
    }

    @Test func base64WithAndWithoutPadding() throws {
        #expect(try JSONRequest(Array(#"{"v":"/wA="}"#.utf8)).bytes("v") == [0xFF, 0])
        #expect(try JSONRequest(Array(#"{"v":"/wA"}"#.utf8)).bytes("v") == [0xFF, 0])
        #expect(throws: JSONRequestError.self) { try JSONRequest(Array(#"{"v":"%%%"}"#.utf8)).bytes("v") }
    }
}
