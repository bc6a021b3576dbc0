import ArgumentParser
import Foundation
import PluginRuntime
import TonearmServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tonearm admin`: the web console's operator credential.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Manage the web console's admin password.",
        subcommands: [SetPassword.self]
    )

    struct SetPassword: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set the password the operator signs in to the console with.",
            discussion: """
                Stores a salted PBKDF2-SHA256 hash in <DataFolder>/console-password (readable by \
                its owner only). A running serve uses it from the next sign-in. Asks twice on a \
                terminal; with --password-stdin reads one line from standard input.
                """
        )

        @Option(name: .long, help: "The configuration file (TOML); its DataFolder holds the hash.")
        var config: String?

        @Flag(name: .long, help: "Read the password from standard input (one line).")
        var passwordStdin = false

        func run() throws {
            let configuration: TonearmConfiguration
            do {
                configuration = try TonearmConfiguration.load(file: config)
            } catch {
                throw ValidationError("\(error)")
            }
            let password: String
            if passwordStdin {
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
                password = line
            } else {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw ValidationError("standard input is not a terminal: use --password-stdin")
                }
                let first = Self.ask("New console password: ")
                guard Self.ask("Again: ") == first else { throw ValidationError("the two passwords differ; nothing changed") }
                password = first
            }
            do {
                let file = try ConsolePassword.store(password, dataFolder: configuration.plugins.dataFolder)
                print("Console password stored in \(file).")
            } catch {
                throw ValidationError("\(error)")
            }
        }

        /// Reads a line from the terminal without echoing it.
        static func ask(_ prompt: String) -> String {
            FileHandle.standardError.write(Data(prompt.utf8))
            var settings = termios()
            let canHide = tcgetattr(STDIN_FILENO, &settings) == 0
            var hidden = settings
            if canHide {
                hidden.c_lflag &= ~tcflag_t(ECHO)
                tcsetattr(STDIN_FILENO, TCSANOW, &hidden)
            }
            let line = readLine(strippingNewline: true) ?? ""
            if canHide { tcsetattr(STDIN_FILENO, TCSANOW, &settings) }
            FileHandle.standardError.write(Data("\n".utf8))
            return line
        }
    }
}
