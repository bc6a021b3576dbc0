import ArgumentParser

@main
struct Tonearm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tonearm",
        abstract: "Runs Navidrome-compatible plugins beside any Subsonic or ListenBrainz music server.",
        subcommands: [ServeCommand.self, PluginCommand.self, AdminCommand.self]
    )
}
