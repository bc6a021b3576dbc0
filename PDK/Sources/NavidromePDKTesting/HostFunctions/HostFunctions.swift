// Navidrome's host functions (module `extism:host/user`) for plugin code running natively: the
// PDK declares each with `@_extern(c, "nd_host_<function>")`; here each one hands its request
// to the active ``TestHost`` (see HostDispatch.swift). One line per function of ABI/host/*.json.

// Artwork
@_cdecl("nd_host_artwork_getartisturl") func hostArtworkGetartisturl(_ request: Int64) -> Int64 { HostDispatch.call("artwork_getartisturl", request) }
@_cdecl("nd_host_artwork_getalbumurl") func hostArtworkGetalbumurl(_ request: Int64) -> Int64 { HostDispatch.call("artwork_getalbumurl", request) }
@_cdecl("nd_host_artwork_gettrackurl") func hostArtworkGettrackurl(_ request: Int64) -> Int64 { HostDispatch.call("artwork_gettrackurl", request) }
@_cdecl("nd_host_artwork_getplaylisturl") func hostArtworkGetplaylisturl(_ request: Int64) -> Int64 { HostDispatch.call("artwork_getplaylisturl", request) }

// Cache
@_cdecl("nd_host_cache_setstring") func hostCacheSetstring(_ request: Int64) -> Int64 { HostDispatch.call("cache_setstring", request) }
@_cdecl("nd_host_cache_getstring") func hostCacheGetstring(_ request: Int64) -> Int64 { HostDispatch.call("cache_getstring", request) }
@_cdecl("nd_host_cache_setint") func hostCacheSetint(_ request: Int64) -> Int64 { HostDispatch.call("cache_setint", request) }
@_cdecl("nd_host_cache_getint") func hostCacheGetint(_ request: Int64) -> Int64 { HostDispatch.call("cache_getint", request) }
@_cdecl("nd_host_cache_setfloat") func hostCacheSetfloat(_ request: Int64) -> Int64 { HostDispatch.call("cache_setfloat", request) }
@_cdecl("nd_host_cache_getfloat") func hostCacheGetfloat(_ request: Int64) -> Int64 { HostDispatch.call("cache_getfloat", request) }
@_cdecl("nd_host_cache_setbytes") func hostCacheSetbytes(_ request: Int64) -> Int64 { HostDispatch.call("cache_setbytes", request) }
@_cdecl("nd_host_cache_getbytes") func hostCacheGetbytes(_ request: Int64) -> Int64 { HostDispatch.call("cache_getbytes", request) }
@_cdecl("nd_host_cache_has") func hostCacheHas(_ request: Int64) -> Int64 { HostDispatch.call("cache_has", request) }
@_cdecl("nd_host_cache_remove") func hostCacheRemove(_ request: Int64) -> Int64 { HostDispatch.call("cache_remove", request) }

// Config
@_cdecl("nd_host_config_get") func hostConfigGet(_ request: Int64) -> Int64 { HostDispatch.call("config_get", request) }
@_cdecl("nd_host_config_getint") func hostConfigGetint(_ request: Int64) -> Int64 { HostDispatch.call("config_getint", request) }
@_cdecl("nd_host_config_keys") func hostConfigKeys(_ request: Int64) -> Int64 { HostDispatch.call("config_keys", request) }

// HTTP
@_cdecl("nd_host_http_send") func hostHttpSend(_ request: Int64) -> Int64 { HostDispatch.call("http_send", request) }

// KVStore
@_cdecl("nd_host_kvstore_set") func hostKvstoreSet(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_set", request) }
@_cdecl("nd_host_kvstore_setwithttl") func hostKvstoreSetwithttl(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_setwithttl", request) }
@_cdecl("nd_host_kvstore_get") func hostKvstoreGet(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_get", request) }
@_cdecl("nd_host_kvstore_getmany") func hostKvstoreGetmany(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_getmany", request) }
@_cdecl("nd_host_kvstore_has") func hostKvstoreHas(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_has", request) }
@_cdecl("nd_host_kvstore_list") func hostKvstoreList(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_list", request) }
@_cdecl("nd_host_kvstore_delete") func hostKvstoreDelete(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_delete", request) }
@_cdecl("nd_host_kvstore_deletebyprefix") func hostKvstoreDeletebyprefix(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_deletebyprefix", request) }
@_cdecl("nd_host_kvstore_getstorageused") func hostKvstoreGetstorageused(_ request: Int64) -> Int64 { HostDispatch.call("kvstore_getstorageused", request) }

// Library
@_cdecl("nd_host_library_getlibrary") func hostLibraryGetlibrary(_ request: Int64) -> Int64 { HostDispatch.call("library_getlibrary", request) }
@_cdecl("nd_host_library_getalllibraries") func hostLibraryGetalllibraries(_ request: Int64) -> Int64 { HostDispatch.call("library_getalllibraries", request) }

// Matcher
@_cdecl("nd_host_matcher_matchsongs") func hostMatcherMatchsongs(_ request: Int64) -> Int64 { HostDispatch.call("matcher_matchsongs", request) }

// Scheduler
@_cdecl("nd_host_scheduler_scheduleonetime") func hostSchedulerScheduleonetime(_ request: Int64) -> Int64 { HostDispatch.call("scheduler_scheduleonetime", request) }
@_cdecl("nd_host_scheduler_schedulerecurring") func hostSchedulerSchedulerecurring(_ request: Int64) -> Int64 { HostDispatch.call("scheduler_schedulerecurring", request) }
@_cdecl("nd_host_scheduler_cancelschedule") func hostSchedulerCancelschedule(_ request: Int64) -> Int64 { HostDispatch.call("scheduler_cancelschedule", request) }

// ScrobbleRetriever
@_cdecl("nd_host_scrobbleretriever_getfirsttimestamp") func hostScrobbleretrieverGetfirsttimestamp(_ request: Int64) -> Int64 { HostDispatch.call("scrobbleretriever_getfirsttimestamp", request) }
@_cdecl("nd_host_scrobbleretriever_getlasttimestamp") func hostScrobbleretrieverGetlasttimestamp(_ request: Int64) -> Int64 { HostDispatch.call("scrobbleretriever_getlasttimestamp", request) }
@_cdecl("nd_host_scrobbleretriever_getscrobbles") func hostScrobbleretrieverGetscrobbles(_ request: Int64) -> Int64 { HostDispatch.call("scrobbleretriever_getscrobbles", request) }
@_cdecl("nd_host_scrobbleretriever_getscrobblecount") func hostScrobbleretrieverGetscrobblecount(_ request: Int64) -> Int64 { HostDispatch.call("scrobbleretriever_getscrobblecount", request) }

// Storage
@_cdecl("nd_host_storage_getstoragepath") func hostStorageGetstoragepath(_ request: Int64) -> Int64 { HostDispatch.call("storage_getstoragepath", request) }

// SubsonicAPI
@_cdecl("nd_host_subsonicapi_call") func hostSubsonicapiCall(_ request: Int64) -> Int64 { HostDispatch.call("subsonicapi_call", request) }
@_cdecl("nd_host_subsonicapi_callraw") func hostSubsonicapiCallraw(_ request: Int64) -> Int64 { HostDispatch.call("subsonicapi_callraw", request) }

// Task
@_cdecl("nd_host_task_createqueue") func hostTaskCreatequeue(_ request: Int64) -> Int64 { HostDispatch.call("task_createqueue", request) }
@_cdecl("nd_host_task_enqueue") func hostTaskEnqueue(_ request: Int64) -> Int64 { HostDispatch.call("task_enqueue", request) }
@_cdecl("nd_host_task_get") func hostTaskGet(_ request: Int64) -> Int64 { HostDispatch.call("task_get", request) }
@_cdecl("nd_host_task_cancel") func hostTaskCancel(_ request: Int64) -> Int64 { HostDispatch.call("task_cancel", request) }
@_cdecl("nd_host_task_clearqueue") func hostTaskClearqueue(_ request: Int64) -> Int64 { HostDispatch.call("task_clearqueue", request) }

// Users
@_cdecl("nd_host_users_getusers") func hostUsersGetusers(_ request: Int64) -> Int64 { HostDispatch.call("users_getusers", request) }
@_cdecl("nd_host_users_getadmins") func hostUsersGetadmins(_ request: Int64) -> Int64 { HostDispatch.call("users_getadmins", request) }

// WebSocket
@_cdecl("nd_host_websocket_connect") func hostWebsocketConnect(_ request: Int64) -> Int64 { HostDispatch.call("websocket_connect", request) }
@_cdecl("nd_host_websocket_sendtext") func hostWebsocketSendtext(_ request: Int64) -> Int64 { HostDispatch.call("websocket_sendtext", request) }
@_cdecl("nd_host_websocket_sendbinary") func hostWebsocketSendbinary(_ request: Int64) -> Int64 { HostDispatch.call("websocket_sendbinary", request) }
@_cdecl("nd_host_websocket_closeconnection") func hostWebsocketCloseconnection(_ request: Int64) -> Int64 { HostDispatch.call("websocket_closeconnection", request) }
