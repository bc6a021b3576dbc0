import HostServices
import PluginRuntime
import Testing
import TonearmJSON

@testable import TonearmServer

/// `DataFolder`, `[Plugins]`, `[Plugins.<id>]` and `[PluginSettings.<id>]`, read into the plugin
/// runtime's configuration by the one configuration reader.
@Suite(.timeLimit(.minutes(1))) struct PluginSectionsTests {
    func plugins(_ text: String) throws(ConfigurationError) -> PluginHostConfiguration {
        try TonearmConfiguration(toml: text, source: "tonearm.toml").plugins
    }

    func error(_ text: String) -> String? {
        do {
            _ = try TonearmConfiguration(toml: text, source: "tonearm.toml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func settingNamesMatchWhateverTheirCase() throws {
        let configuration = try plugins("""
            datafolder = "/var/lib/tonearm"
            [plugins]
            folder = "/srv/plugins"
            calltimeout = 5
            heavycallcpu = 2.5
            MEMORYLIMIT = 64
            autoreload = false
            [plugins.discord-rich-presence]
            allusers = true
            extrahosts = ["127.0.0.1"]
            [pluginsettings.discord-rich-presence]
            ClientID = "123456789012345678"
            Users = [{ username = "alice", token = "t" }]
            Size = 3
            """)
        #expect(configuration.dataFolder == "/var/lib/tonearm")
        #expect(configuration.pluginsFolder == "/srv/plugins")
        #expect(configuration.callTimeout == 5)
        #expect(configuration.heavyCallCPU == 2.5)
        #expect(configuration.memoryLimit == 64 * 1024 * 1024)
        #expect(!configuration.autoReload)
        let options = configuration.options(for: "discord-rich-presence")
        #expect(options.allUsers)
        #expect(options.extraHosts == ["127.0.0.1"])
        #expect(configuration.options(for: "other") == PluginOptions())
        let settings = try #require(configuration.pluginSettings["discord-rich-presence"])
        #expect(settings["ClientID"] == .string("123456789012345678"))
        #expect(settings["Users"] == [["username": "alice", "token": "t"]])
        #expect(settings["Size"] == .number(3))
    }

    /// A server for more Discord users than the defaults cover raises what one plugin may hold.
    @Test func serviceLimitsAreReadAndRangeChecked() throws {
        let defaults = try TonearmConfiguration(toml: "", source: "tonearm.toml").serviceLimits
        #expect(defaults.maxWebSocketConnections == HostServiceLimits.defaultMaxWebSocketConnections)
        #expect(defaults.maxSchedules == HostServiceLimits.defaultMaxSchedules)
        let raised = try TonearmConfiguration(
            toml: "[plugins]\nmaxwebsocketconnections = 12000\nMaxSchedules = 40000", source: "tonearm.toml"
        ).serviceLimits
        #expect(raised.maxWebSocketConnections == 12_000)
        #expect(raised.maxSchedules == 40_000)
        for value in ["0", "-1", "1000001", "1.5", "\"many\""] {
            #expect(error("[Plugins]\nMaxWebSocketConnections = \(value)")?.contains(
                "Plugins.MaxWebSocketConnections must be a whole number between 1 and 1000000") == true)
        }
        for value in ["0", "10000001", "true"] {
            #expect(error("[Plugins]\nMaxSchedules = \(value)")?.contains(
                "Plugins.MaxSchedules must be a whole number between 1 and 10000000") == true)
        }
    }

    @Test func heavyCallCPUIsAPositiveNumberOfSeconds() throws {
        #expect(try plugins("").heavyCallCPU == 0.5)
        #expect(try plugins("[Plugins]\nHeavyCallCPU = 3").heavyCallCPU == 3)
        for bad in ["0", "-1", "1e300", "\"fast\""] {
            #expect(
                error("[Plugins]\nHeavyCallCPU = \(bad)")
                    == "tonearm.toml: Plugins.HeavyCallCPU must be a positive number of seconds, at most 86400")
        }
    }

    @Test func endpointRequestLimitIsRangeChecked() throws {
        let defaults = try plugins("")
        #expect(defaults.endpointRequestLimit == 60)
        #expect(defaults.endpointRequestWindow == 60)
        let set = try plugins("[Plugins]\nEndpointRequestLimit = 0\nEndpointRequestWindow = 1.5")
        #expect(set.endpointRequestLimit == 0)
        #expect(set.endpointRequestWindow == 1.5)
        for (bad, message) in [
            ("EndpointRequestLimit = -1", "Plugins.EndpointRequestLimit must be a whole number between 0 (no limit) and 1000000"),
            ("EndpointRequestLimit = 1e12", "Plugins.EndpointRequestLimit must be a whole number between 0 (no limit) and 1000000"),
            ("EndpointRequestWindow = 0", "Plugins.EndpointRequestWindow must be a positive number of seconds, at most 86400"),
        ] {
            #expect(error("[Plugins]\n\(bad)") == "tonearm.toml: \(message)")
        }
    }

    @Test(arguments: [
        ("DataFolder = 1", "DataFolder must be a string"),
        ("Plugins = 1", "[Plugins] must be a table"),
        ("[Plugins]\nFolder = 1", "Plugins.Folder must be a string"),
        ("[Plugins]\nMemoryLimit = 5000", "Plugins.MemoryLimit must be a whole number of MiB between 1 and 4096"),
        ("[Plugins]\nAutoReload = 1", "Plugins.AutoReload must be true or false"),
        ("[Plugins]\nColour = 1", "Plugins.Colour: unknown setting (plugin options go in a [Plugins.Colour] table)"),
        ("[Plugins.minimal]\nAllUser = true", "Plugins.minimal.AllUser: unknown setting (known: Users, AllUsers, AllowAdmins, ExtraHosts)"),
        ("[Plugins.minimal]\nUsers = [1]", "Plugins.minimal.Users must be a list of strings"),
        ("[Plugins.minimal]\nAllowAdmins = \"no\"", "Plugins.minimal.AllowAdmins must be true or false"),
        ("PluginSettings = 1", "[PluginSettings] must be a table"),
        ("[PluginSettings]\nminimal = 1", "PluginSettings.minimal must be a table ([PluginSettings.minimal])"),
    ])
    func badSettingsAreNamed(text: String, message: String) {
        #expect(error(text) == "tonearm.toml: \(message)")
    }
}
