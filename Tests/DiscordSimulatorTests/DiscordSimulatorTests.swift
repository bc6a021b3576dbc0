import Testing
@testable import DiscordSimulator
