import Feeds

extension TonearmDaemon {
    /// The one way both feeds (the Subsonic poller, the ListenBrainz receiver) hand playback to
    /// the daemon. A username no one configured is noted as seen (and, with a music server to
    /// ask, its admin role learned) before any plugin hears of it. Then the events are queued
    /// for their users.
    ///
    /// With `clientWaits` (a ListenBrainz submission, answered after this returns) scrobbles are
    /// journaled first and this throws, queueing nothing, when the journal cannot be written: the
    /// client is told to try again. A poller has no one to tell, so its events are queued anyway.
    func receive(_ events: [PlaybackEvent], clientWaits: Bool) async throws(DurableFile.Failure) {
        for event in events where userDirectory.noteSeen(event.username) {
            if let client = subsonicClient, let credentials = pollerCredentials {
                await userDirectory.learnAdminRole(of: event.username, client: client, credentials: credentials, logger: logger)
            }
        }
        if clientWaits {
            try dispatcher.accept(events)
        } else {
            for event in events { dispatcher.submit(event) }
        }
    }
}
