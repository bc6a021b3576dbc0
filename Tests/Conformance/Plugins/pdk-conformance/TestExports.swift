import NavidromePDK

// Exports used only by the conformance tests: direct access to the kernel bindings, the JSON
// library and every host-service client.

/// Echoes the raw input (input reading of every length, output of any bytes).
@_expose(wasm, "pdk_test_echo") @_cdecl("pdk_test_echo")
func testEcho() -> Int32 {
    Extism.setOutput(Extism.input())
    return 0
}

/// Parses the input as JSON and outputs it re-serialized (or fails with the parse error).
@_expose(wasm, "pdk_test_json") @_cdecl("pdk_test_json")
func testJSON() -> Int32 {
    do {
        let depth = Extism.config("max_depth").flatMap { Int($0) } ?? JSONParser.defaultMaxDepth
        Extism.setOutput(try JSONValue.parse(Extism.input(), maxDepth: depth).serialized())
        return 0
    } catch {
        Extism.setError(error.message)
        return 1
    }
}

/// Reads gateway-style fields with the lazy reader: op, t, s, d.session_id, d.resume_gateway_url.
@_expose(wasm, "pdk_test_lazy") @_cdecl("pdk_test_lazy")
func testLazy() -> Int32 {
    do {
        let event = try JSONLazyObject(bytes: Extism.input())
        var out = JSONObjectWriter()
        out.set("op", (try event.int64("op")).map { JSONValue.int($0) } ?? .null)
        out.set("t", (try event.string("t")).map { JSONValue.string($0) } ?? .null)
        out.set("s", (try event.int64("s")).map { JSONValue.int($0) } ?? .null)
        if let d = try event.object("d") {
            out.set("session_id", try d.string("session_id"))
            out.set("resume_gateway_url", try d.string("resume_gateway_url"))
        }
        Extism.setOutput(json: .object(out.object))
        return 0
    } catch {
        Extism.setError(error.message)
        return 1
    }
}

/// Decodes a NowPlayingRequest and outputs it encoded again.
@_expose(wasm, "pdk_test_nowplaying_roundtrip") @_cdecl("pdk_test_nowplaying_roundtrip")
func testNowPlayingRoundTrip() -> Int32 {
    ExportCall.run(NowPlayingRequest.self) { (r) throws(PluginError) -> [UInt8]? in r.jsonBytes() }
}

/// Kernel bindings: config, vars, log level, logging at every level.
@_expose(wasm, "pdk_test_kernel") @_cdecl("pdk_test_kernel")
func testKernel() -> Int32 {
    ExportCall.run(KernelRequest.self) { (r) throws(PluginError) -> [UInt8]? in
        var out = JSONObjectWriter()
        out.set("config", Extism.config(r.configKey).map { JSONValue.string($0) } ?? .null)
        let before = Extism.variable(r.varKey)
        out.set("varBefore", before.map { JSONValue.string(String(decoding: $0, as: UTF8.self)) } ?? .null)
        Extism.setVariable(r.varKey, r.varValue.isEmpty ? nil : Array(r.varValue.utf8))
        let after = Extism.variable(r.varKey)
        out.set("varAfter", after.map { JSONValue.string(String(decoding: $0, as: UTF8.self)) } ?? .null)
        out.set("logLevel", Int64(Log.hostLevel?.rawValue ?? -1))
        out.set("debugEnabled", Log.isEnabled(.debug))
        Log.trace("pdk-trace " + r.message)
        Log.debug("pdk-debug " + r.message)
        Log.info("pdk-info " + r.message)
        Log.warn("pdk-warn " + r.message)
        Log.error("pdk-error " + r.message)
        return JSONValue.object(out.object).serialized()
    }
}

struct KernelRequest: JSONDecodable {
    var configKey: String
    var varKey: String
    var varValue: String
    var message: String
    init(json: JSONObjectReader) throws(JSONError) {
        configKey = try json.string("config")
        varKey = try json.string("var")
        varValue = try json.string("value")
        message = try json.string("message")
    }
}

/// Calls one host-service client: input `{"call": "<host function>", ...arguments}`,
/// output the client's result as JSON, or the client's error as the call error.
@_expose(wasm, "pdk_test_host") @_cdecl("pdk_test_host")
func testHost() -> Int32 {
    ExportCall.run(HostTestRequest.self) { (r) throws(PluginError) -> [UInt8]? in
        try r.perform().serialized()
    }
}

struct HostTestRequest: JSONDecodable {
    let args: JSONObjectReader
    let call: String

    init(json: JSONObjectReader) throws(JSONError) {
        args = json
        call = try json.string("call")
    }

    func arg(_ key: String) throws(PluginError) -> String {
        do { return try args.string(key) } catch { throw PluginError(error) }
    }

    func int(_ key: String) throws(PluginError) -> Int64 {
        do { return try args.int64(key) } catch { throw PluginError(error) }
    }

    func bytes(_ key: String) throws(PluginError) -> [UInt8] {
        do { return try args.bytes(key) } catch { throw PluginError(error) }
    }

    func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

    func perform() throws(PluginError) -> JSONValue {
        let c = call
        let key = try arg("key")
        if same(c, "config_get") { return optional(try ConfigService.get(key)) }
        if same(c, "config_getint") { return (try ConfigService.getInt(key)).map { .int($0) } ?? .null }
        if same(c, "config_keys") { return .array(try ConfigService.keys(prefix: try arg("prefix")).map { .string($0) }) }
        if same(c, "cache_setstring") { try CacheService.setString(key, try arg("value"), ttlSeconds: try int("ttlSeconds")); return .null }
        if same(c, "cache_getstring") { return optional(try CacheService.getString(key)) }
        if same(c, "cache_setint") { try CacheService.setInt(key, try int("value"), ttlSeconds: try int("ttlSeconds")); return .null }
        if same(c, "cache_getint") { return (try CacheService.getInt(key)).map { .int($0) } ?? .null }
        if same(c, "cache_setfloat") {
            let v: Double
            do { v = try args.double("value") } catch { throw PluginError(error) }
            try CacheService.setFloat(key, v, ttlSeconds: try int("ttlSeconds"))
            return .null
        }
        if same(c, "cache_getfloat") { return (try CacheService.getFloat(key)).map { .double($0) } ?? .null }
        if same(c, "cache_setbytes") { try CacheService.setBytes(key, try bytes("value"), ttlSeconds: try int("ttlSeconds")); return .null }
        if same(c, "cache_getbytes") { return (try CacheService.getBytes(key)).map { .string(Base64.encode($0)) } ?? .null }
        if same(c, "cache_has") { return .bool(try CacheService.has(key)) }
        if same(c, "cache_remove") { try CacheService.remove(key); return .null }
        if same(c, "kvstore_set") { try KVStoreService.set(key, try bytes("value")); return .null }
        if same(c, "kvstore_setwithttl") { try KVStoreService.setWithTTL(key, try bytes("value"), ttlSeconds: try int("ttlSeconds")); return .null }
        if same(c, "kvstore_get") { return (try KVStoreService.get(key)).map { .string(Base64.encode($0)) } ?? .null }
        if same(c, "kvstore_getmany") {
            let keys: [String]
            do { keys = try args.stringArray("keys") } catch { throw PluginError(error) }
            var out = JSONObject()
            for pair in try KVStoreService.getMany(keys) { out[pair.key] = .string(Base64.encode(pair.value)) }
            return .object(out)
        }
        if same(c, "kvstore_has") { return .bool(try KVStoreService.has(key)) }
        if same(c, "kvstore_list") { return .array(try KVStoreService.list(prefix: try arg("prefix")).map { .string($0) }) }
        if same(c, "kvstore_delete") { try KVStoreService.delete(key); return .null }
        if same(c, "kvstore_deletebyprefix") { return .int(try KVStoreService.deleteByPrefix(try arg("prefix"))) }
        if same(c, "kvstore_getstorageused") { return .int(try KVStoreService.getStorageUsed()) }
        if same(c, "http_send") {
            let headers: [(key: String, value: String)]
            let noFollow: Bool
            do {
                headers = try args.stringPairs("headers")
                noFollow = try args.bool("noFollowRedirects")
            } catch { throw PluginError(error) }
            let response = try HTTPService.send(HTTPRequest(
                method: try arg("method"), url: try arg("url"), headers: headers, body: try bytes("body"),
                timeoutMs: Int32(truncatingIfNeeded: try int("timeoutMs")), noFollowRedirects: noFollow))
            var out = JSONObjectWriter()
            out.set("statusCode", response.statusCode)
            out.set("headers", pairs: response.headers)
            out.set("contentType", response.header("content-type"))
            out.set("body", response.text)
            return .object(out.object)
        }
        if same(c, "websocket_connect") {
            let headers: [(key: String, value: String)]
            do { headers = try args.stringPairs("headers") } catch { throw PluginError(error) }
            return .string(try WebSocketService.connect(url: try arg("url"), headers: headers, connectionId: try arg("connectionId")))
        }
        if same(c, "websocket_sendtext") { try WebSocketService.sendText(connectionId: try arg("connectionId"), message: try arg("message")); return .null }
        if same(c, "websocket_sendbinary") { try WebSocketService.sendBinary(connectionId: try arg("connectionId"), data: try bytes("data")); return .null }
        if same(c, "websocket_closeconnection") {
            try WebSocketService.closeConnection(connectionId: try arg("connectionId"), code: Int32(truncatingIfNeeded: try int("code")), reason: try arg("reason"))
            return .null
        }
        if same(c, "scheduler_scheduleonetime") {
            return .string(try SchedulerService.scheduleOneTime(delaySeconds: Int32(truncatingIfNeeded: try int("delaySeconds")), payload: try arg("payload"), scheduleId: try arg("scheduleId")))
        }
        if same(c, "scheduler_schedulerecurring") {
            return .string(try SchedulerService.scheduleRecurring(cronExpression: try arg("cronExpression"), payload: try arg("payload"), scheduleId: try arg("scheduleId")))
        }
        if same(c, "scheduler_cancelschedule") { try SchedulerService.cancelSchedule(try arg("scheduleId")); return .null }
        let id = try arg("id")
        let size = Int32(truncatingIfNeeded: try int("size"))
        if same(c, "artwork_getartisturl") { return .string(try ArtworkService.getArtistUrl(id: id, size: size)) }
        if same(c, "artwork_getalbumurl") { return .string(try ArtworkService.getAlbumUrl(id: id, size: size)) }
        if same(c, "artwork_gettrackurl") { return .string(try ArtworkService.getTrackUrl(id: id, size: size)) }
        if same(c, "artwork_getplaylisturl") { return .string(try ArtworkService.getPlaylistUrl(id: id, size: size)) }
        if same(c, "subsonicapi_call") { return .string(try SubsonicAPIService.call(try arg("uri"))) }
        if same(c, "subsonicapi_callraw") {
            let raw = try SubsonicAPIService.callRaw(try arg("uri"))
            var out = JSONObjectWriter()
            out.set("contentType", raw.contentType)
            out.set("data", bytes: raw.data)
            return .object(out.object)
        }
        if same(c, "users_getusers") || same(c, "users_getadmins") {
            let users = same(c, "users_getusers") ? try UsersService.getUsers() : try UsersService.getAdmins()
            return .array(users.map { u in
                var o = JSONObjectWriter()
                o.set("userName", u.userName)
                o.set("name", u.name)
                o.set("isAdmin", u.isAdmin)
                return JSONValue.object(o.object)
            })
        }
        throw PluginError("unknown host call '" + c + "'")
    }
}
