"""Every host-service client of the Swift PDK: the exact function name, the JSON request it
sends, how it reads Navidrome's response, and that `error` surfaces as a Swift error."""

import base64
import json

import extism
import pytest

from conftest import call_json


def host_call(plugin, call, **args):
    return call_json(plugin, "pdk_test_host", dict(args, call=call))


def b64(data):
    return base64.b64encode(data).decode()


# Go's zero values of the fields without omitempty in host.Library and host.Track.
LIBRARY_ZEROS = {"id": 0, "name": "", "lastScanAt": 0, "totalSongs": 0, "totalAlbums": 0, "totalArtists": 0,
                 "totalSize": 0, "totalDuration": 0.0}
TRACK_ZEROS = {"id": "", "libraryId": 0, "missing": False, "title": "", "album": "", "artist": "", "trackNumber": 0,
               "discNumber": 0, "year": 0, "originalYear": 0, "releaseYear": 0, "size": 0, "duration": 0.0, "bitRate": 0,
               "sampleRate": 0, "channels": 0, "compilation": False, "hasCoverArt": False, "birthTime": 0,
               "createdAt": 0, "updatedAt": 0, "averageRating": 0.0}

# (call, arguments, Navidrome response, expected request JSON, expected client result)
CASES = [
    ("config_get", {"key": "apikey"}, {"value": "s3cret", "exists": True}, {"key": "apikey"}, "s3cret"),
    ("config_get", {"key": "nope"}, {}, {"key": "nope"}, None),
    ("config_getint", {"key": "n"}, {"value": 42, "exists": True}, {"key": "n"}, 42),
    ("config_getint", {"key": "n"}, {}, {"key": "n"}, None),
    ("config_keys", {"prefix": "user."}, {"keys": ["user.a", "user.b"]}, {"prefix": "user."}, ["user.a", "user.b"]),
    ("config_keys", {"prefix": ""}, {}, {"prefix": ""}, []),
    ("cache_setstring", {"key": "k", "value": "v", "ttlSeconds": 82}, {}, {"key": "k", "value": "v", "ttlSeconds": 82}, None),
    ("cache_getstring", {"key": "k"}, {"value": "v", "exists": True}, {"key": "k"}, "v"),
    ("cache_getstring", {"key": "empty"}, {"exists": True}, {"key": "empty"}, ""),
    ("cache_getstring", {"key": "k"}, {}, {"key": "k"}, None),
    ("cache_setint", {"key": "discord.seq.alice", "value": 9007199254740993, "ttlSeconds": 0}, {},
     {"key": "discord.seq.alice", "value": 9007199254740993, "ttlSeconds": 0}, None),
    ("cache_getint", {"key": "k"}, {"value": -7, "exists": True}, {"key": "k"}, -7),
    ("cache_getint", {"key": "k"}, {}, {"key": "k"}, None),
    ("cache_setfloat", {"key": "f", "value": 0.1, "ttlSeconds": 5}, {}, {"key": "f", "value": 0.1, "ttlSeconds": 5}, None),
    ("cache_getfloat", {"key": "f"}, {"value": 2.5, "exists": True}, {"key": "f"}, 2.5),
    ("cache_setbytes", {"key": "b", "value": b64(b"\x00\xffbin"), "ttlSeconds": 0}, {},
     {"key": "b", "value": b64(b"\x00\xffbin"), "ttlSeconds": 0}, None),
    ("cache_getbytes", {"key": "b"}, {"value": b64(b"\x01\x02"), "exists": True}, {"key": "b"}, b64(b"\x01\x02")),
    ("cache_has", {"key": "k"}, {"exists": True}, {"key": "k"}, True),
    ("cache_has", {"key": "k"}, {}, {"key": "k"}, False),
    ("cache_remove", {"key": "k"}, {}, {"key": "k"}, None),
    ("kvstore_set", {"key": "k", "value": b64(b"hello")}, {}, {"key": "k", "value": b64(b"hello")}, None),
    ("kvstore_setwithttl", {"key": "k", "value": b64(b"x"), "ttlSeconds": 60}, {},
     {"key": "k", "value": b64(b"x"), "ttlSeconds": 60}, None),
    ("kvstore_get", {"key": "k"}, {"value": b64(b"hello"), "exists": True}, {"key": "k"}, b64(b"hello")),
    ("kvstore_get", {"key": "k"}, {}, {"key": "k"}, None),
    ("kvstore_getmany", {"keys": ["a", "b", "c"]}, {"values": {"a": b64(b"1"), "c": b64(b"3")}},
     {"keys": ["a", "b", "c"]}, {"a": b64(b"1"), "c": b64(b"3")}),
    ("kvstore_has", {"key": "k"}, {"exists": True}, {"key": "k"}, True),
    ("kvstore_list", {"prefix": "user:"}, {"keys": ["user:1", "user:2"]}, {"prefix": "user:"}, ["user:1", "user:2"]),
    ("kvstore_delete", {"key": "k"}, {}, {"key": "k"}, None),
    ("kvstore_deletebyprefix", {"prefix": "tmp:"}, {"deletedCount": 3}, {"prefix": "tmp:"}, 3),
    ("kvstore_getstorageused", {}, {"bytes": 1024}, {}, 1024),
    ("websocket_connect", {"url": "wss://gateway.example.com/?v=10", "headers": {"User-Agent": "tonearm"}, "connectionId": "alice"},
     {"newConnectionId": "alice"},
     {"url": "wss://gateway.example.com/?v=10", "headers": {"User-Agent": "tonearm"}, "connectionId": "alice"}, "alice"),
    ("websocket_connect", {"url": "wss://gateway.example.com", "connectionId": ""}, {"newConnectionId": "AbCdEfGhIjKlMnOpQrStUv"},
     {"url": "wss://gateway.example.com", "headers": {}, "connectionId": ""}, "AbCdEfGhIjKlMnOpQrStUv"),
    ("websocket_sendtext", {"connectionId": "alice", "message": "{\"op\":1,\"d\":42}"}, {},
     {"connectionId": "alice", "message": "{\"op\":1,\"d\":42}"}, None),
    ("websocket_sendbinary", {"connectionId": "alice", "data": b64(b"\x00\x01")}, {},
     {"connectionId": "alice", "data": b64(b"\x00\x01")}, None),
    ("websocket_closeconnection", {"connectionId": "alice", "code": 1000, "reason": "done"}, {},
     {"connectionId": "alice", "code": 1000, "reason": "done"}, None),
    ("scheduler_scheduleonetime", {"delaySeconds": 30, "payload": "clear", "scheduleId": "alice-clear"},
     {"newScheduleId": "alice-clear"}, {"delaySeconds": 30, "payload": "clear", "scheduleId": "alice-clear"}, "alice-clear"),
    ("scheduler_schedulerecurring", {"cronExpression": "@every 41s", "payload": "hb", "scheduleId": ""},
     {"newScheduleId": "generated"}, {"cronExpression": "@every 41s", "payload": "hb", "scheduleId": ""}, "generated"),
    ("scheduler_cancelschedule", {"scheduleId": "alice-clear"}, {}, {"scheduleId": "alice-clear"}, None),
    ("artwork_getartisturl", {"id": "ar-1", "size": 300}, {"url": "https://nd/share/img/a?size=300"}, {"id": "ar-1", "size": 300},
     "https://nd/share/img/a?size=300"),
    ("artwork_getalbumurl", {"id": "al-1", "size": 0}, {"url": "https://nd/share/img/b"}, {"id": "al-1", "size": 0}, "https://nd/share/img/b"),
    ("artwork_gettrackurl", {"id": "mf-1", "size": 512}, {"url": "http://localhost/share/img/c?size=512"}, {"id": "mf-1", "size": 512},
     "http://localhost/share/img/c?size=512"),
    ("artwork_getplaylisturl", {"id": "pl-1", "size": 64}, {"url": "https://nd/share/img/d"}, {"id": "pl-1", "size": 64}, "https://nd/share/img/d"),
    ("subsonicapi_call", {"uri": "getNowPlaying?u=alice"}, {"responseJson": "{\"subsonic-response\":{\"status\":\"ok\"}}"},
     {"uri": "getNowPlaying?u=alice"}, "{\"subsonic-response\":{\"status\":\"ok\"}}"),
    ("subsonicapi_callraw", {"uri": "getCoverArt?u=alice&id=al-1"}, {"contentType": "image/jpeg", "data": b64(b"\xff\xd8\xff")},
     {"uri": "getCoverArt?u=alice&id=al-1"}, {"contentType": "image/jpeg", "data": b64(b"\xff\xd8\xff")}),
    ("users_getusers", {}, {"result": [{"userName": "alice", "name": "Alice", "isAdmin": True}, {"userName": "bob", "name": "Bob", "isAdmin": False}]},
     {}, [{"userName": "alice", "name": "Alice", "isAdmin": True}, {"userName": "bob", "name": "Bob", "isAdmin": False}]),
    ("users_getadmins", {}, {}, {}, []),
    # Library (permission library).
    ("library_getlibrary", {"id": 1},
     {"result": {"id": 1, "name": "Music", "path": "/music", "mountPoint": "/libraries/1", "lastScanAt": 1764806400,
                 "totalSongs": 1200, "totalAlbums": 100, "totalArtists": 40, "totalSize": 8589934592, "totalDuration": 301234.5}},
     {"id": 1},
     {"id": 1, "name": "Music", "path": "/music", "mountPoint": "/libraries/1", "lastScanAt": 1764806400,
      "totalSongs": 1200, "totalAlbums": 100, "totalArtists": 40, "totalSize": 8589934592, "totalDuration": 301234.5}),
    # Results are written back as Go writes the client's values: zero fields without omitempty stay.
    ("library_getalllibraries", {}, {"result": [{"id": 1, "name": "Music"}, {"id": 2, "name": "Audiobooks"}]}, {},
     [dict(LIBRARY_ZEROS, id=1, name="Music"), dict(LIBRARY_ZEROS, id=2, name="Audiobooks")]),
    ("library_getalllibraries", {}, {}, {}, []),
    # Matcher (permission matcher): one result per song, null where nothing matched.
    ("matcher_matchsongs", {"songs": [{"name": "Teardrop", "artist": "Massive Attack"}, {"name": "Unknown"}],
                            "opts": {"username": "alice"}},
     {"results": [{"id": "mf-1", "title": "Teardrop", "artist": "Massive Attack", "genres": ["Trip Hop"], "bpm": 77}, None]},
     {"songs": [{"name": "Teardrop", "artist": "Massive Attack"}, {"name": "Unknown"}], "opts": {"username": "alice"}},
     [dict(TRACK_ZEROS, id="mf-1", title="Teardrop", artist="Massive Attack", genres=["Trip Hop"], bpm=77), None]),
    # ScrobbleRetriever (permission scrobbleRetriever): nil timestamps when the user has no scrobbles.
    ("scrobbleretriever_getfirsttimestamp", {"username": "alice"}, {"result": 1700000000}, {"username": "alice"}, 1700000000),
    ("scrobbleretriever_getlasttimestamp", {"username": "bob"}, {}, {"username": "bob"}, None),
    ("scrobbleretriever_getscrobbles", {"username": "alice", "options": {"fromTimestamp": 1700000000, "descending": True, "maxItems": 2}},
     {"scrobbles": [{"id": 7, "mediaFileId": "mf-1", "submissionTime": 1700000500}],
      "next": {"fromTimestamp": 1700000000, "descending": True, "maxItems": 2, "offset": 2}},
     {"username": "alice", "options": {"fromTimestamp": 1700000000, "descending": True, "maxItems": 2}},
     {"scrobbles": [{"id": 7, "mediaFileId": "mf-1", "submissionTime": 1700000500}],
      "next": {"fromTimestamp": 1700000000, "descending": True, "maxItems": 2, "offset": 2}}),
    ("scrobbleretriever_getscrobblecount", {"username": "alice", "options": {"toTimestamp": 1800000000}}, {"result": 42},
     {"username": "alice", "options": {"toTimestamp": 1800000000}}, 42),
    # Storage (permission storage).
    ("storage_getstoragepath", {}, {"result": "/data/plugins/demo"}, {}, "/data/plugins/demo"),
    # Task (permission taskqueue).
    ("task_createqueue", {"name": "fetch", "config": {"concurrency": 2, "maxRetries": 3, "backoffMs": 500}}, {},
     {"name": "fetch", "config": {"concurrency": 2, "maxRetries": 3, "backoffMs": 500, "delayMs": 0, "retentionMs": 0}}, None),
    ("task_enqueue", {"queueName": "fetch", "payload": b64(b"\x00job")}, {"result": "task-1"},
     {"queueName": "fetch", "payload": b64(b"\x00job")}, "task-1"),
    ("task_get", {"taskId": "task-1"}, {"result": {"status": "completed", "message": "ok", "attempt": 2}}, {"taskId": "task-1"},
     {"status": "completed", "message": "ok", "attempt": 2}),
    ("task_cancel", {"taskId": "task-1"}, {}, {"taskId": "task-1"}, None),
    ("task_clearqueue", {"queueName": "fetch"}, {"result": 5}, {"queueName": "fetch"}, 5),
]


@pytest.mark.parametrize("call,args,response,request_json,result", CASES, ids=[c[0] for c in CASES])
def test_client_request_and_response(plugin, host, call, args, response, request_json, result):
    host.respond[call] = response
    assert host_call(plugin, call, **args) == result
    assert host.calls == [(call, request_json)]


def test_http_send_request_shape_and_response(plugin, host):
    host.respond["http_send"] = {"result": {"statusCode": 404, "headers": {"Content-Type": "application/json"},
                                            "body": b64(b'{"message":"Unknown"}')}}
    result = host_call(plugin, "http_send", request=dict(method="POST", url="https://example.com/api",
                       headers={"Authorization": "Bot x", "Content-Type": "application/json"},
                       body=b64(b'{"urls":["a"]}'), timeoutMs=5000, noFollowRedirects=True))
    assert result == {"statusCode": 404, "headers": {"Content-Type": "application/json"},
                      "body": b64(b'{"message":"Unknown"}')}
    assert host.requests("http_send") == [{"request": {
        "method": "POST", "url": "https://example.com/api",
        "headers": {"Authorization": "Bot x", "Content-Type": "application/json"},
        "body": b64(b'{"urls":["a"]}'), "timeoutMs": 5000, "noFollowRedirects": True}}]


def test_http_send_minimal_request_omits_empty_fields(plugin, host):
    host.respond["http_send"] = {"result": {"statusCode": 204}}
    # The client's HTTPResponse written back with Go's omitempty: no headers, no body.
    assert host_call(plugin, "http_send", request=dict(method="GET", url="https://example.com/")) == {"statusCode": 204}
    assert host.requests("http_send") == [{"request": {"method": "GET", "url": "https://example.com/"}}]


@pytest.mark.parametrize("call,args", [
    ("websocket_sendtext", {"connectionId": "ghost", "message": "x"}),
    ("scheduler_cancelschedule", {"scheduleId": "ghost"}),
    ("kvstore_set", {"key": "k", "value": b64(b"x" * 10)}),
    ("http_send", {"request": {"method": "GET", "url": "https://denied.example.org/"}}),
    ("cache_getstring", {"key": "k"}),
    ("users_getusers", {}),
])
def test_host_error_surfaces_as_swift_error(plugin, host, call, args):
    host.respond[call] = {"error": "something failed: not found"}
    with pytest.raises(extism.Error) as info:
        host_call(plugin, call, **args)
    assert str(info.value) == f"{call}: something failed: not found"


def test_empty_error_member_is_not_a_failure(plugin, host):
    host.respond["cache_has"] = {"exists": True, "error": ""}
    assert host_call(plugin, "cache_has", key="k") is True


def test_malformed_host_response_is_a_clear_error(plugin, host):
    host.respond["cache_getint"] = {"value": "seven", "exists": True}
    with pytest.raises(extism.Error, match="cache_getint: invalid response: field 'value': expected integer, found string"):
        host_call(plugin, "cache_getint", key="k")
    host.respond["http_send"] = {}
    with pytest.raises(extism.Error, match="http_send: invalid response: missing 'result'"):
        host_call(plugin, "http_send", request=dict(method="GET", url="https://example.com/"))
