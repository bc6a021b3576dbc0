import Testing
@testable import PluginRuntime

/// `tonearm plugin install` over an installed plugin: refused without --force, with the
/// permission difference shown.
@Suite(.timeLimit(.minutes(1))) struct PluginReplacementTests {
    let old = PluginPermissions(
        declared: ["http", "cache"], httpRequiredHosts: ["api.example.com"], webSocketRequiredHosts: [])
    let new = PluginPermissions(
        declared: ["http", "websocket", "users"], httpRequiredHosts: ["api.example.com", "*"],
        webSocketRequiredHosts: ["gateway.example.com"], kvStoreMaxSize: "10MB")

    @Test func differenceListsAddedAndRemovedPermissionsAndHosts() {
        let changes = PluginReplacement(old: old, new: new)
        #expect(changes.addedPermissions == ["users", "websocket"])
        #expect(changes.removedPermissions == ["cache"])
        #expect(changes.addedHTTPHosts == ["*"])
        #expect(changes.addedWebSocketHosts == ["gateway.example.com"])
        #expect(changes.widensAccess)
        #expect(changes.lines == [
            "+ permission users", "+ permission websocket", "- permission cache", "+ http host *",
            "+ websocket host gateway.example.com", "~ kvstore maxSize default → 10MB",
        ])
        #expect(PluginReplacement(old: old, new: old).lines == ["permissions unchanged"])
    }

    @Test func replacingNeedsForce() {
        #expect(PluginReplacement.decide(id: "p", old: nil, oldIsInstalled: false, new: new, force: false) == .install)
        guard case .refuse(let message) = PluginReplacement.decide(
            id: "discord", old: old, oldIsInstalled: true, new: new, force: false)
        else {
            Issue.record("replaced without --force")
            return
        }
        #expect(message.contains(#"plugin "discord" is already installed"#))
        #expect(message.contains("+ permission websocket"))
        #expect(message.contains("--force"))
        #expect(PluginReplacement.decide(id: "discord", old: old, oldIsInstalled: true, new: new, force: true)
                == .replace(changes: PluginReplacement(old: old, new: new)))
    }

    @Test func anUnreadableInstalledPackageCountsAsGrantingNothing() {
        guard case .replace(let changes) = PluginReplacement.decide(
            id: "p", old: nil, oldIsInstalled: true, new: new, force: true)
        else {
            Issue.record("not replaced")
            return
        }
        #expect(changes.addedPermissions == ["http", "users", "websocket"])
    }
}
