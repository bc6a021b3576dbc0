import Foundation
import HostServices
import PluginRuntime
import Testing

/// Library, Matcher and ScrobbleRetriever hold Navidrome's own data: in Tonearm every
/// one of their functions answers with an error naming the function and the reason.
@Suite(.timeLimit(.minutes(1))) struct UnavailableServiceTests {
    @Test func everyFunctionNamesItselfAndWhy() async throws {
        let expected: [String: (permission: String, functions: [String])] = [
            "library": ("library", ["library_getlibrary", "library_getalllibraries"]),
            "matcher": ("matcher", ["matcher_matchsongs"]),
            "scrobbleretriever": ("scrobbleRetriever", [
                "scrobbleretriever_getfirsttimestamp", "scrobbleretriever_getlasttimestamp",
                "scrobbleretriever_getscrobbles", "scrobbleretriever_getscrobblecount",
            ]),
        ]
        #expect(Set(UnavailableService.standalone.map(\.functionPrefix)) == Set(expected.keys))
        for service in UnavailableService.standalone {
            let (permission, names) = try #require(expected[service.functionPrefix])
            #expect(service.permission == permission)
            let functions = service.functions(for: makeContext())
            #expect(Set(functions.keys) == Set(names))
            for name in names {
                let response = try await invoke(functions[name], ["username": "alice", "id": 1])
                #expect(response.json.count == 1, "\(response.text)")
                #expect(response.json["error"] as? String == "\(name): \(service.reason)")
            }
        }
    }

    @Test func reasonsSayWhatTonearmLacks() {
        let reasons = Dictionary(uniqueKeysWithValues: UnavailableService.standalone.map { ($0.functionPrefix, $0.reason) })
        #expect(reasons["library"]?.contains("no music library") == true)
        #expect(reasons["scrobbleretriever"]?.contains("no listening history") == true)
        #expect(reasons["matcher"]?.contains("no music library") == true)
    }
}
