import Testing
@testable import HostServices
