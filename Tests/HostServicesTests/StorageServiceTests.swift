import HostServices
import Testing

/// `storage_getstoragepath` answers the sandbox path Navidrome mounts the plugin's folder at.
@Suite(.timeLimit(.minutes(1))) struct StorageServiceTests {
    @Test func theStoragePathIsTheSandboxMount() async throws {
        let service = StorageService()
        #expect(service.permission == "storage")
        let functions = service.functions(for: makeContext())
        #expect(Array(functions.keys) == ["storage_getstoragepath"])
        #expect(try await invoke(functions["storage_getstoragepath"], [:]).text == #"{"result":"/storage"}"#)
    }
}
