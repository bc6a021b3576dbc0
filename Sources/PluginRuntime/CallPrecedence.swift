/// Which waiting call gets a plugin's next free call slot, as its caller decides.
///
/// A plugin runs at most ``CallExecutor/capacity`` calls at once; the others wait. Urgent
/// calls go first, in arrival order; queued calls follow, earliest `since` first.
public enum CallPrecedence: Sendable, Equatable {
    /// Keeps something alive or answers someone who waits (a gateway frame, a heartbeat, a
    /// scheduled task, an HTTP request to the plugin).
    case urgent
    /// Takes its turn by when it queued: `since`, or its arrival when nil or later. The playback
    /// dispatcher stamps a user's calls with the start of the user's previous delivery, so a
    /// user whose player reports a few times a second cannot make the others wait behind it.
    case queued(since: ContinuousClock.Instant?)
}
