import Foundation
import HTTPTypes
import Hummingbird
import PluginRuntime
import Synchronization
import Testing

@testable import HostServices

/// A resolver that answers every name with `addresses` and counts its lookups.
final class FixedResolver: Sendable {
    let addresses: [IPAddress]
    private let count = Mutex<[String]>([])

    init(_ addresses: String...) {
        self.addresses = addresses.map { IPAddress(literal: $0)! }
    }

    var lookups: [String] { count.withLock { $0 } }

    var resolver: HostResolver {
        HostResolver { [self] host in
            count.withLock { $0.append(host) }
            return addresses
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct IPAddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0177.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"), ("0", "0.0.0.0"), ("0x", "0.0.0.0"), ("[::1]", "::1"), ("0:0:0:0:0:0:0:1", "::1"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"), ("8.8.8.8", "8.8.8.8"),
    ])
    func literalsAreReadAsTheResolverReadsThem(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(literal: text)).description == canonical)
    }

    @Test(arguments: ["example.com", "256.1.1.1", "1.2.3.4.5", "08.1.1.1", "0x1g.1", "1..2", "", "+1.2.3.4", "4294967296", "1.16777216"])
    func namesAndInvalidNumbersAreNotLiterals(text: String) {
        #expect(IPAddress(literal: text) == nil)
    }

    @Test(arguments: [
        "127.0.0.1", "127.255.1.2", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1",
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::",
        "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1",
    ])
    func nonPublicAddressesAreClassified(text: String) throws {
        #expect(try #require(IPAddress(literal: text)).nonPublicKind != nil)
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"])
    func publicAddressesPass(text: String) throws {
        #expect(try #require(IPAddress(literal: text)).nonPublicKind == nil)
    }
}

@Suite(.timeLimit(.minutes(1))) struct HostPolicyTests {
    func policy(required: [String] = [], granted: [String] = []) -> HostPolicy {
        HostPolicy(required: required, granted: granted, emptyMeansPublic: true, permission: "http")
    }

    @Test(arguments: [
        "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "localhost", "localhost.", "LOCALHOST", "api.localhost",
        "[::1]", "::ffff:127.0.0.1", "[::ffff:7f00:1]", "100.64.0.1", "169.254.169.254", "[fe80::1]", "0.0.0.0",
    ])
    func everyEncodingOfALocalAddressIsRefusedByName(host: String) {
        // Even a manifest that allows every host does not open the host's own networks.
        #expect(throws: HostServiceError.self) { try policy(required: ["*"]).check(host: host) }
        #expect(throws: HostServiceError.self) { try policy().check(host: host) }
    }

    @Test func operatorGrantsMatchEveryEncodingOfTheGrantedAddress() throws {
        let granted = policy(granted: ["127.0.0.1"])
        for host in ["127.0.0.1", "127.1", "2130706433", "0x7f.1", "127.0.0.1."] {
            #expect(try granted.check(host: host) == .granted)
        }
        #expect(try granted.check(host: "example.com") == .publicOnly)
    }

    @Test func resolvedAddressesAreChecked() async throws {
        let loopback = FixedResolver("127.0.0.1")
        let error = await #expect(throws: HostServiceError.self) {
            try await policy(required: ["*.example.com"]).destination(for: "evil.example.com", resolver: loopback.resolver)
        }
        #expect(
            error?.message == "host \"evil.example.com\" is not allowed: it resolves to 127.0.0.1, a loopback address; "
                + "loopback and private addresses need an operator grant (ExtraHosts in the plugin's section of tonearm.toml)")
        // One private answer among public ones is enough to refuse.
        let mixed = FixedResolver("93.184.216.34", "10.0.0.7")
        await #expect(throws: HostServiceError.self) {
            try await policy().destination(for: "mixed.example", resolver: mixed.resolver)
        }
        for address in ["100.64.1.1", "::ffff:192.168.0.1", "fd00::1", "fe80::1", "::", "ff02::1", "0.0.0.0"] {
            await #expect(throws: HostServiceError.self) {
                try await policy().destination(for: "name.example", resolver: FixedResolver(address).resolver)
            }
        }
        // A public answer is the address to connect to.
        let address = try await policy().destination(for: "public.example", resolver: FixedResolver("93.184.216.34").resolver)
        #expect(address?.description == "93.184.216.34")
        // An operator-granted name connects by name, without a lookup here.
        let granted = FixedResolver("10.0.0.1")
        #expect(try await policy(granted: ["nas.lan"]).destination(for: "nas.lan", resolver: granted.resolver) == nil)
        #expect(granted.lookups.isEmpty)
        // A granted address admits names that resolve to it.
        let named = try await policy(granted: ["127.0.0.1"]).destination(for: "dev.example", resolver: loopback.resolver)
        #expect(named?.description == "127.0.0.1")
    }

    @Test func theSystemResolverIsChecked() async throws {
        // localhost resolves through /etc/hosts; with the trailing dot the name check does not
        // catch it, so this is the resolved-address check at work.
        let error = await #expect(throws: HostServiceError.self) {
            try await policy(required: ["*"]).destination(for: "localhost.", resolver: .system)
        }
        #expect(error?.message.contains("loopback") == true)
        let refused = await #expect(throws: HostServiceError.self) {
            try await HostResolver.system.lookup("no-such-host.invalid")
        }
        #expect(refused?.message.hasPrefix("could not resolve host \"no-such-host.invalid\"") == true)
    }
}

/// The HTTP and WebSocket services against loopback servers, reached the ways a plugin could try.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PrivateAddressAccessTests {
    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/host") { request, _ -> String in request.head.authority ?? "-" }
        return router
    }

    func send(_ f: [String: HostFunction], _ url: String) async throws -> [String: Any] {
        try await invoke(f["http_send"], ["request": ["url": url]]).json
    }

    @Test func httpToLoopbackIsDeniedByDefaultInEveryEncoding() async throws {
        let service = HTTPService()
        // The manifest allows any host; no operator grant.
        let f = service.functions(for: makeContext(permissions: .init(declared: ["http"], httpRequiredHosts: ["*"])))
        try await withHTTPServer(Self.router()) { port in
            for host in ["127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "localhost", "localhost.", "[::ffff:127.0.0.1]"] {
                let response = try await send(f, "http://\(host):\(port)/host")
                #expect((response["error"] as? String)?.contains("is not allowed") == true, "\(host): \(response)")
                #expect(response["result"] == nil)
            }
        }
        try await service.shutdown()
    }

    @Test func httpToLoopbackWorksWhenTheOperatorGrantsIt() async throws {
        let service = HTTPService()
        let f = service.functions(for: makeContext(permissions: .init(declared: ["http"], httpRequiredHosts: ["*"]), extraHosts: ["127.0.0.1"]))
        try await withHTTPServer(Self.router()) { port in
            for host in ["127.0.0.1", "127.1", "2130706433"] {
                let response = try await send(f, "http://\(host):\(port)/host")
                #expect((response["result"] as? [String: Any])?["statusCode"] as? Int == 200, "\(host): \(response)")
            }
        }
        try await service.shutdown()
    }

    @Test func httpConnectsToTheCheckedAddressAndKeepsTheName() async throws {
        // "pinned.test" resolves (in this test) to 127.0.0.1 only; the real DNS knows no such name,
        // so an answer proves the request went to the checked address, with the name as Host.
        let resolver = FixedResolver("127.0.0.1")
        let denied = HTTPService(limits: .init(), pluginLimits: .init(), resolver: resolver.resolver)
        let granted = HTTPService(limits: .init(), pluginLimits: .init(), resolver: resolver.resolver)
        let f = denied.functions(for: makeContext())
        let g = granted.functions(for: makeContext(extraHosts: ["127.0.0.1"]))
        try await withHTTPServer(Self.router()) { port in
            let refused = try await send(f, "http://pinned.test:\(port)/host")
            #expect((refused["error"] as? String)?.contains("it resolves to 127.0.0.1, a loopback address") == true)
            let response = try await send(g, "http://pinned.test:\(port)/host")
            let result = try #require(response["result"] as? [String: Any], "\(response)")
            #expect(result["body"] as? String == base64("pinned.test:\(port)"))
        }
        #expect(resolver.lookups == ["pinned.test", "pinned.test"])
        try await denied.shutdown()
        try await granted.shutdown()
    }

    @Test func webSocketToLoopbackIsDeniedUnlessGranted() async throws {
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let service = WebSocketService()
        // The manifest lists the address, the operator grants nothing.
        let f = service.functions(for: webSocketContext(callbacks, hosts: ["*"], granted: []))
        try await withWebSocketServer { port in
            for host in ["127.0.0.1", "127.1", "0x7f.1", "localhost.", "[::ffff:127.0.0.1]"] {
                let refused = try await invoke(f["websocket_connect"], ["url": "ws://\(host):\(port)/echo"])
                #expect((refused.json["error"] as? String)?.contains("is not allowed") == true, "\(host): \(refused.text)")
            }
            #expect(service.connectionIDs(of: "test-plugin").isEmpty)
        }
    }

    @Test func webSocketConnectsToTheCheckedAddressAndKeepsTheName() async throws {
        let log = ServerLog()
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let resolver = FixedResolver("127.0.0.1")
        let service = WebSocketService(limits: .init(), pluginLimits: .init(), resolver: resolver.resolver)
        let denied = service.functions(for: webSocketContext(callbacks, hosts: ["*.test"], granted: [], id: "denied"))
        let f = service.functions(for: webSocketContext(callbacks, hosts: ["*.test"], granted: ["127.0.0.1"]))
        try await withWebSocketServer(log: log) { port in
            let refused = try await invoke(denied["websocket_connect"], ["url": "ws://gateway.test:\(port)/echo"])
            #expect((refused.json["error"] as? String)?.contains("it resolves to 127.0.0.1, a loopback address") == true)
            let connected = try await invoke(
                f["websocket_connect"], ["url": "ws://gateway.test:\(port)/echo", "connectionId": "gw", "headers": ["X-Test": "pinned"]])
            #expect(connected.text == #"{"newConnectionId":"gw"}"#)
            #expect(log.headers == ["pinned"])
            #expect(log.hosts == ["gateway.test:\(port)"])
            #expect(try await invoke(f["websocket_sendtext"], ["connectionId": "gw", "message": "ping"]).text == "{}")
            try await callbacks.waitUntil { !$0.isEmpty }
            #expect(callbacks.calls.first?.input["message"] as? String == "ping")
        }
        #expect(resolver.lookups == ["gateway.test", "gateway.test"])
        await service.pluginUnloaded("test-plugin")
    }
}
