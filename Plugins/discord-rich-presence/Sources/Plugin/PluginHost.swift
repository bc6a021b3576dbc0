import NavidromePDK

@_extern(wasm, module: "wasi_snapshot_preview1", name: "clock_time_get") @_extern(c, "wasi_clock_time_get")
func wasiClockTimeGet(_ clockID: UInt32, _ precision: UInt64, _ time: UnsafeMutablePointer<UInt64>) -> UInt16

/// The host services the plugin uses, as calls that never throw: failures are logged or come
/// back as the host's error text, so one failing service never aborts a gateway step.
struct PluginHost {
    /// Unix time in milliseconds (WASI realtime clock; Navidrome and Tonearm both provide it).
    func nowMs() -> Int64 {
        var nanoseconds: UInt64 = 0
        guard wasiClockTimeGet(0, 1_000_000, &nanoseconds) == 0 else { return 0 }
        return Int64(nanoseconds / 1_000_000)
    }

    func log(_ level: LogLevel, _ message: String) {
        Log.write(level, message)
    }

    /// A configuration value, `nil` when the key is missing.
    func config(_ key: String) -> String? {
        Extism.config(key)
    }

    func cacheString(_ key: String) -> String? {
        (try? CacheService.getString(key: key)) ?? nil
    }

    func cacheInt(_ key: String) -> Int64? {
        (try? CacheService.getInt(key: key)) ?? nil
    }

    func setCacheString(_ key: String, _ value: String, ttlSeconds: Int64) {
        do { try CacheService.setString(key: key, value: value, ttlSeconds: ttlSeconds) } catch { log(.warn, "Cache write failed: \(error.text)") }
    }

    func setCacheInt(_ key: String, _ value: Int64, ttlSeconds: Int64) {
        do { try CacheService.setInt(key: key, value: value, ttlSeconds: ttlSeconds) } catch { log(.warn, "Cache write failed: \(error.text)") }
    }

    func removeCache(_ key: String) {
        _ = try? CacheService.remove(key: key)
    }

    func webSocketConnect(url: String, connectionID: String) -> HostOutcome {
        do {
            _ = try WebSocketService.connect(url: url, headers: [], connectionId: connectionID)
            return .ok
        } catch {
            return .failed(error.message)
        }
    }

    func webSocketSend(connectionID: String, text: String) -> HostOutcome {
        do {
            try WebSocketService.sendText(connectionId: connectionID, message: text)
            return .ok
        } catch {
            return .failed(error.message)
        }
    }

    func webSocketClose(connectionID: String, code: Int, reason: String) -> HostOutcome {
        do {
            try WebSocketService.closeConnection(connectionId: connectionID, code: Int32(code), reason: reason)
            return .ok
        } catch {
            return .failed(error.message)
        }
    }

    func scheduleOneTime(id: String, delaySeconds: Int, payload: String) -> HostOutcome {
        do {
            _ = try SchedulerService.scheduleOneTime(delaySeconds: Int32(clamping: delaySeconds), payload: payload, scheduleId: id)
            return .ok
        } catch {
            return .failed(error.message)
        }
    }

    func scheduleRecurring(id: String, cron: String, payload: String) -> HostOutcome {
        do {
            _ = try SchedulerService.scheduleRecurring(cronExpression: cron, payload: payload, scheduleId: id)
            return .ok
        } catch {
            return .failed(error.message)
        }
    }

    func cancelSchedule(id: String) -> HostOutcome {
        do {
            try SchedulerService.cancelSchedule(scheduleId: id)
            return .ok
        } catch {
            return .failed(error.message)
        }
    }

    func httpSend(_ request: HTTPRequest) -> HTTPOutcome {
        do {
            return .response(try HTTPService.send(request: request))
        } catch {
            return .failed(error.message)
        }
    }

    /// Public artwork URL of a track (`artwork_gettrackurl`).
    func trackArtworkURL(trackID: String, size: Int) -> String? {
        (try? ArtworkService.getTrackUrl(id: trackID, size: Int32(size))).flatMap { $0.utf8.isEmpty ? nil : $0 }
    }

    /// A Subsonic API answer's JSON text (`subsonicapi_call`), or `nil` (logged at debug) when
    /// the call failed.
    func subsonicJSON(uri: String) -> String? {
        do {
            return try SubsonicAPIService.call(uri: uri)
        } catch {
            log(.debug, "Subsonic API call failed: \(error.message)")
            return nil
        }
    }

    /// Raw Subsonic API response (`subsonicapi_callraw`).
    func subsonicRaw(uri: String) -> SubsonicRawOutcome {
        do {
            let raw = try SubsonicAPIService.callRaw(uri: uri)
            return .data(contentType: raw.contentType, bytes: raw.data)
        } catch {
            return .failed(error.message)
        }
    }
}

/// Success, or the host's error text.
enum HostOutcome {
    case ok
    case failed(String)

    var error: String? {
        if case .failed(let text) = self { return text }
        return nil
    }
}

enum HTTPOutcome {
    case response(HTTPResponse)
    case failed(String)
}

enum SubsonicRawOutcome {
    case data(contentType: String, bytes: [UInt8])
    case failed(String)
}
