/// A strict Discord gateway and REST simulator for loopback tests.
public enum DiscordSimulator {}
