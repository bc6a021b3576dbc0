import NavidromePDK

/// The SubsonicAPI demo plugin: a library digest (who is playing now, the newest albums) fetched
/// through Navidrome's SubsonicAPI host service as an assigned user, on a schedule.
///
/// `nd_on_init` schedules the recurring refresh and a first one shortly after loading (the
/// Subsonic router may not be ready while plugins load); every scheduler callback is a fresh
/// instance that runs ``DigestRun``.
struct SubsonicAPIDemo: Lifecycle, SchedulerCallback {
    /// Schedule id of the recurring refresh.
    static let recurringID = "digest"
    /// Schedule id of the first refresh after loading.
    static let firstRunID = "digest-first"
    /// Seconds between loading and the first refresh.
    static let firstRunDelaySeconds: Int32 = 10

    func onInit() throws(PluginError) {
        let settings = try DigestSettings.load()
        do {
            _ = try SchedulerService.scheduleRecurring(
                cronExpression: settings.schedule, payload: "", scheduleId: Self.recurringID)
        } catch {
            throw PluginError("cannot schedule the digest with '\(settings.schedule)': \(error.text)")
        }
        _ = try SchedulerService.scheduleOneTime(
            delaySeconds: Self.firstRunDelaySeconds, payload: "", scheduleId: Self.firstRunID)
        Log.info("digest scheduled (\(settings.schedule)), first run in \(Self.firstRunDelaySeconds)s")
    }

    func onCallback(_ request: SchedulerCallbackRequest) throws(PluginError) {
        guard request.scheduleId.hasSameUTF8(as: Self.recurringID) || request.scheduleId.hasSameUTF8(as: Self.firstRunID) else {
            Log.debug("ignoring unknown schedule '\(request.scheduleId)'")
            return
        }
        try DigestRun.perform(settings: DigestSettings.load())
    }
}
