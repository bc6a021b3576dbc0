import PluginRuntime
import Testing
import TonearmJSON

@Suite(.timeLimit(.minutes(1))) struct PluginHostConfigurationTests {
    @Test func settingNamesMatchWhateverTheirCase() throws {
        let configuration = try PluginHostConfiguration(toml: """
            datafolder = "/var/lib/tonearm"
            [plugins]
            calltimeout = 5
            heavycallcpu = 2.5
            MEMORYLIMIT = 64
            [plugins.discord-rich-presence]
            allusers = true
            extrahosts = ["127.0.0.1"]
            [pluginsettings.discord-rich-presence]
            ClientID = "123456789012345678"
            """)
        #expect(configuration.dataFolder == "/var/lib/tonearm")
        #expect(configuration.callTimeout == 5)
        #expect(configuration.heavyCallCPU == 2.5)
        #expect(configuration.memoryLimit == 64 * 1024 * 1024)
        let options = configuration.options(for: "discord-rich-presence")
        #expect(options.allUsers)
        #expect(options.extraHosts == ["127.0.0.1"])
        #expect(configuration.pluginSettings["discord-rich-presence"]?["ClientID"] == .string("123456789012345678"))
    }

    @Test func heavyCallCPUIsAPositiveNumberOfSeconds() throws {
        #expect(try PluginHostConfiguration(toml: "").heavyCallCPU == 0.5)
        #expect(try PluginHostConfiguration(toml: "[Plugins]\nHeavyCallCPU = 3").heavyCallCPU == 3)
        for bad in ["0", "-1", "1e300", "\"fast\""] {
            do {
                _ = try PluginHostConfiguration(toml: "[Plugins]\nHeavyCallCPU = \(bad)", file: "tonearm.toml")
                Issue.record("HeavyCallCPU = \(bad) was accepted")
            } catch {
                #expect(error.description == "tonearm.toml: Plugins.HeavyCallCPU must be a positive number of seconds, at most 86400")
            }
        }
    }

    @Test func endpointRequestLimitIsRangeChecked() throws {
        let defaults = try PluginHostConfiguration(toml: "")
        #expect(defaults.endpointRequestLimit == 60)
        #expect(defaults.endpointRequestWindow == 60)
        let set = try PluginHostConfiguration(toml: "[Plugins]\nEndpointRequestLimit = 0\nEndpointRequestWindow = 1.5")
        #expect(set.endpointRequestLimit == 0)
        #expect(set.endpointRequestWindow == 1.5)
        for (bad, message) in [
            ("EndpointRequestLimit = -1", "Plugins.EndpointRequestLimit must be a whole number between 0 (no limit) and 1000000"),
            ("EndpointRequestLimit = 1e12", "Plugins.EndpointRequestLimit must be a whole number between 0 (no limit) and 1000000"),
            ("EndpointRequestWindow = 0", "Plugins.EndpointRequestWindow must be a positive number of seconds, at most 86400"),
        ] {
            do {
                _ = try PluginHostConfiguration(toml: "[Plugins]\n\(bad)", file: "tonearm.toml")
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(error.description == "tonearm.toml: \(message)")
            }
        }
    }

    @Test func unknownPluginOptionsAreNamed() {
        #expect(throws: ConfigurationError.self) {
            try PluginHostConfiguration(toml: "[Plugins.minimal]\nAllUser = true")
        }
        do {
            _ = try PluginHostConfiguration(toml: "[Plugins.minimal]\nAllUser = true", file: "tonearm.toml")
        } catch {
            #expect(error.description == "tonearm.toml: Plugins.minimal.AllUser: unknown setting (known: Users, AllUsers, AllowAdmins, ExtraHosts)")
        }
    }
}
