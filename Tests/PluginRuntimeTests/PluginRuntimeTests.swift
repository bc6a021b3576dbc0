import Testing
@testable import PluginRuntime
