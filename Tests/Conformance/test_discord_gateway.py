"""Conformance of the Discord Rich Presence plugin in the reference Extism runtime (PyPI `extism`).

The plugin's `plugin.wasm` is loaded from `build/plugins/discord-rich-presence.ndp` (built by
`scripts/build-plugins`) and driven exactly as Navidrome drives it: a fresh instance per call,
host functions under Navidrome's names in `extism:host/user`, JSON in and out. The fake host
below keeps an in-memory cache, records WebSocket frames and schedules, answers Discord's
external-assets endpoint, and, like Navidrome, delivers `nd_websocket_on_close` synchronously
from inside `websocket_closeconnection`.
"""

import base64
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.parse
import zipfile

import extism
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGIN_DIR = pathlib.Path(os.environ.get("TONEARM_PLUGIN_DIR", ROOT / "build" / "plugins"))
NDP = PLUGIN_DIR / "discord-rich-presence.ndp"

CLIENT_ID = "123456789012345678"
GATEWAY = "wss://gateway.test"
API = "https://discord.test/api"
ASSET_PREFIX = "external/abc123/https/"

HOST_FUNCTIONS = [
    "cache_setstring", "cache_getstring", "cache_setint", "cache_getint", "cache_setfloat",
    "cache_getfloat", "cache_setbytes", "cache_getbytes", "cache_has", "cache_remove",
    "websocket_connect", "websocket_sendtext", "websocket_sendbinary", "websocket_closeconnection",
    "scheduler_scheduleonetime", "scheduler_schedulerecurring", "scheduler_cancelschedule",
    "http_send", "artwork_getartisturl", "artwork_getalbumurl", "artwork_gettrackurl",
    "artwork_getplaylisturl", "subsonicapi_call", "subsonicapi_callraw", "config_get",
    "config_getint", "config_keys", "users_getusers", "users_getadmins",
]


class FakeNavidrome:
    """Navidrome's host services for one plugin, in memory."""

    def __init__(self, compiled, config):
        self.compiled = compiled
        self.config = config
        self.cache = {}            # key -> (type, value)
        self.connections = {}      # id -> url
        self.connects = []         # (id, url)
        self.sent = []             # (id, parsed frame)
        self.closes = []           # (id, code, reason)
        self.schedules = {}        # id -> dict
        self.scheduled = []        # every schedule request, in order
        self.http = []             # requests
        self.routes = {}           # url -> (status, headers, body) for other HTTP requests
        self.connect_error = None
        self.after_host_call = None  # fn(name, request), run after each host function answers
        self.subsonic_calls = []   # uris of subsonicapi_call
        self.server_type = "navidrome"  # OpenSubsonic `type` in ping; None: a plain Subsonic server
        self.song_years = {}       # song id -> year for getSong

    # ---- calling the plugin: one fresh instance per call, as Navidrome does ------------------
    def call(self, export, payload):
        global CURRENT
        previous, CURRENT = CURRENT, self
        try:
            plugin = extism.Plugin(self.compiled, config=self.config)
            return plugin.call(export, json.dumps(payload).encode())
        finally:
            CURRENT = previous

    def is_authorized(self, user):
        return json.loads(self.call("nd_scrobbler_is_authorized", {"username": user}))

    def now_playing(self, user, track, position=0):
        self.call("nd_scrobbler_now_playing", {"username": user, "track": track, "position": position})

    def playback_report(self, user, track, state, position_ms=0, rate=1.0, player="Navidrome UI", ts=None):
        self.call("nd_scrobbler_playback_report", {
            "username": user, "track": track, "state": state, "positionMs": position_ms,
            "playbackRate": rate, "playerId": "p1", "playerName": player,
            "timestamp": int(time.time()) if ts is None else ts})

    def gateway(self, user, frame):
        text = frame if isinstance(frame, str) else json.dumps(frame)
        self.call("nd_websocket_on_text_message", {"connectionId": user, "message": text})

    def error(self, user, text):
        self.connections.pop(user, None)
        self.call("nd_websocket_on_error", {"connectionId": user, "error": text})

    def fire(self, schedule_id):
        entry = self.schedules[schedule_id]
        self.call("nd_scheduler_callback", {"scheduleId": schedule_id, "payload": entry["payload"],
                                            "isRecurring": entry["recurring"]})
        if not entry["recurring"]:
            self.schedules.pop(schedule_id, None)

    def frames(self, user, op=None):
        return [f for (c, f) in self.sent if c == user and (op is None or f["op"] == op)]

    # ---- host functions -------------------------------------------------------------------------
    def handle(self, name, req):
        if name.startswith("cache_"):
            kind = name[len("cache_"):]
            key = req.get("key")
            if kind.startswith("set"):
                self.cache[key] = (kind[3:], req["value"])
                return {}
            if kind.startswith("get"):
                entry = self.cache.get(key)
                if entry is None or entry[0] != kind[3:]:
                    return {}
                return {"value": entry[1], "exists": True} if entry[1] not in ("", 0) else {"exists": True}
            if kind == "has":
                return {"exists": True} if key in self.cache else {}
            if kind == "remove":
                self.cache.pop(key, None)
                return {}
        if name == "websocket_connect":
            cid = req["connectionId"]
            if self.connect_error:
                return {"error": self.connect_error}
            if cid in self.connections:
                return {"error": f"connection {cid} already exists"}
            self.connections[cid] = req["url"]
            self.connects.append((cid, req["url"]))
            return {"newConnectionId": cid}
        if name == "websocket_sendtext":
            cid = req["connectionId"]
            if cid not in self.connections:
                return {"error": f"connection {cid} not found"}
            self.sent.append((cid, json.loads(req["message"])))
            return {}
        if name == "websocket_closeconnection":
            cid = req["connectionId"]
            if cid not in self.connections:
                return {"error": f"connection {cid} not found"}
            del self.connections[cid]
            self.closes.append((cid, req["code"], req["reason"]))
            # Navidrome calls on_close in a fresh instance before closeconnection returns.
            self.call("nd_websocket_on_close", {"connectionId": cid, "code": req["code"], "reason": req["reason"]})
            return {}
        if name in ("scheduler_scheduleonetime", "scheduler_schedulerecurring"):
            sid = req["scheduleId"]
            if sid in self.schedules:
                return {"error": f"schedule {sid} already exists"}
            recurring = name.endswith("recurring")
            self.schedules[sid] = {"payload": req.get("payload", ""), "recurring": recurring,
                                   "cron": req.get("cronExpression"), "delay": req.get("delaySeconds")}
            self.scheduled.append((sid, dict(self.schedules[sid])))
            return {"newScheduleId": sid}
        if name == "scheduler_cancelschedule":
            if self.schedules.pop(req["scheduleId"], None) is None:
                return {"error": "schedule not found"}
            return {}
        if name == "http_send":
            r = req["request"]
            self.http.append(r)
            if r["url"].endswith("/external-assets"):
                body = json.loads(base64.b64decode(r["body"]))
                url = body["urls"][0]
                path = ASSET_PREFIX + url.split("://", 1)[1]
                answer = json.dumps([{"url": url, "external_asset_path": path}]).encode()
                return {"result": {"statusCode": 200, "body": base64.b64encode(answer).decode()}}
            if r["url"] in self.routes:
                status, headers, body = self.routes[r["url"]]
                return {"result": {"statusCode": status, "headers": headers,
                                   "body": base64.b64encode(body.encode()).decode()}}
            return {"error": "no route to host"}
        if name == "subsonicapi_call":
            # Navidrome answers in-process as user `u` (plugins/host_subsonicapi.go).
            self.subsonic_calls.append(req["uri"])
            url = urllib.parse.urlsplit(req["uri"])
            query = urllib.parse.parse_qs(url.query)
            if not query.get("u"):
                return {"error": "missing required parameter 'u' (username)"}
            answer = {"status": "ok", "version": "1.16.1"}
            if self.server_type:
                answer.update(type=self.server_type, serverVersion="0.58.0", openSubsonic=True)
            if url.path.endswith("/getSong"):
                song_id = query.get("id", [""])[0]
                answer["song"] = {"id": song_id, "title": "x", "year": self.song_years.get(song_id, 0)}
            return {"responseJson": json.dumps({"subsonic-response": answer})}
        if name == "artwork_gettrackurl":
            return {"url": f"https://music.example.org/share/img/{req['id']}?size={req['size']}"}
        return {"error": f"{name} not available in this test host"}


CURRENT = None


def _host_function(name):
    def call(current_plugin, params, results, *user_data):
        req = json.loads(current_plugin.input_string(params[0]) or "{}")
        host = CURRENT
        answer = host.handle(name, req)
        if host.after_host_call:
            host.after_host_call(name, req)
        current_plugin.return_string(results[0], json.dumps(answer))
    return extism.host_fn(name=name, namespace="extism:host/user",
                          signature=([extism.ValType.I64], [extism.ValType.I64]))(call)


@pytest.fixture(scope="module")
def compiled():
    if not NDP.exists():
        pytest.fail(f"{NDP} is missing: run scripts/build-plugins first")
    with zipfile.ZipFile(NDP) as z:
        assert sorted(z.namelist()) == ["manifest.json", "plugin.wasm"]
        wasm = z.read("plugin.wasm")
    functions = [_host_function(n) for n in HOST_FUNCTIONS]
    return extism.extism.CompiledPlugin(wasm, wasi=True, functions=functions)


def config(users='[{"token":"tok-alice","username":"alice"}]', **extra):
    c = {"clientid": CLIENT_ID, "users": users, "gatewayurl": GATEWAY, "apibaseurl": API}
    c.update(extra)
    return c


@pytest.fixture
def host(compiled):
    return FakeNavidrome(compiled, config())


TRACK = {
    "id": "tr-1", "title": "Blue in Green", "album": "Kind of Blue", "artist": "Miles Davis",
    "albumArtist": "Miles Davis", "artists": [{"id": "ar-1", "name": "Miles Davis"}],
    "albumArtists": [{"id": "ar-1", "name": "Miles Davis"}], "duration": 337.5,
    "trackNumber": 3, "discNumber": 1,
}


def track(n):
    t = dict(TRACK)
    t.update(id=f"tr-{n}", title=f"Track {n}")
    return t


def hello(interval=41250):
    return {"op": 10, "d": {"heartbeat_interval": interval, "_trace": ["gw"]}, "s": None, "t": None}


def ready(seq=1, session="sess-1", resume="wss://resume.gateway.test"):
    return {"op": 0, "s": seq, "t": "READY", "d": {"v": 10, "user": {"id": "42", "username": "alice"},
                                                   "session_id": session, "resume_gateway_url": resume,
                                                   "guilds": [], "sessions": []}}


def connect_ready(host, user="alice"):
    host.gateway(user, hello())
    host.gateway(user, ready())


# ---- loading --------------------------------------------------------------------------------

def test_package_loads_and_exports_the_capabilities(compiled, host):
    plugin = extism.Plugin(compiled, config=host.config)
    for export in ["nd_scrobbler_is_authorized", "nd_scrobbler_now_playing", "nd_scrobbler_playback_report",
                   "nd_websocket_on_text_message", "nd_websocket_on_error", "nd_websocket_on_close",
                   "nd_scheduler_callback"]:
        assert plugin.function_exists(export), export
    manifest = json.loads(zipfile.ZipFile(NDP).read("manifest.json"))
    assert set(manifest["permissions"]) == {"users", "http", "websocket", "cache", "scheduler", "artwork", "subsonicapi"}
    assert all(p.get("reason") for p in manifest["permissions"].values())


# ---- configuration --------------------------------------------------------------------------

def test_users_in_both_forms_authorize(compiled):
    as_text = FakeNavidrome(compiled, config(users="alice:tok-a, bob:tok-b"))
    assert as_text.is_authorized("alice") and as_text.is_authorized("bob")
    assert not as_text.is_authorized("carol")
    as_json = FakeNavidrome(compiled, config(users='[{"token":"tok-a","username":"alice"},{"token":"tok-b","username":"bob","status":"idle"}]'))
    assert as_json.is_authorized("alice") and as_json.is_authorized("bob")
    assert not as_json.is_authorized("carol")


@pytest.mark.parametrize("broken", [
    {"clientid": ""},
    {"clientid": "12ab"},
    {"users": "[{\"username\":\"alice\"}]"},
    {"users": "not a list"},
    {"users": "[{\"token\":\"t\",\"username\":\"alice\",\"status\":\"busy\"}]"},
    {"gatewayurl": "http://not-a-websocket"},
])
def test_invalid_configuration_is_not_authorized_and_nothing_connects(compiled, broken):
    host = FakeNavidrome(compiled, config(**broken))
    assert host.is_authorized("alice") is False
    with pytest.raises(extism.Error, match="not_authorized"):
        host.now_playing("alice", TRACK)
    assert host.connects == []


# ---- the main flow: NowPlaying → connect → Hello → Identify → READY → Presence Update --------

def test_now_playing_connects_identifies_and_sets_presence_after_ready(host):
    before = int(time.time() * 1000)
    host.now_playing("alice", TRACK, position=30)
    after = int(time.time() * 1000)
    assert host.connects == [("alice", GATEWAY + "/?v=10&encoding=json")]
    assert host.sent == []  # nothing before Hello

    host.gateway("alice", hello())
    identify = host.frames("alice")
    assert [f["op"] for f in identify] == [2]
    d = identify[0]["d"]
    assert d["token"] == "tok-alice"
    assert d["properties"]["browser"] == "Discord Client"
    hb = host.schedules["alice-heartbeat"]
    assert hb["recurring"] and hb["cron"] == "@every 41250ms"

    host.gateway("alice", ready())
    presence = host.frames("alice", op=3)
    assert len(presence) == 1
    p = presence[0]["d"]
    assert p["status"] == "online" and p["since"] == 0 and p["afk"] is True
    [activity] = p["activities"]
    start, end = activity["timestamps"]["start"], activity["timestamps"]["end"]
    assert before - 30_000 <= start <= after - 30_000
    assert end - start == 337_500
    art = f"mp:{ASSET_PREFIX}music.example.org/share/img/tr-1?size=300"
    assert activity == {
        "name": "Navidrome", "type": 2, "application_id": CLIENT_ID, "status_display_type": 2,
        "details": "Blue in Green", "state": "Miles Davis",
        "timestamps": {"start": start, "end": end},
        "assets": {"large_image": art, "large_text": "Kind of Blue"},
    }
    # One clear timer at the end of the track (+5 s).
    clear = host.schedules["alice-clear"]
    assert not clear["recurring"] and 300 <= clear["delay"] <= 320
    # The external-assets call carried the raw token and the application id.
    assets = [r for r in host.http if r["url"].endswith("/external-assets")]
    assert assets[0]["url"] == f"{API}/v9/applications/{CLIENT_ID}/external-assets"
    assert assets[0]["headers"]["Authorization"] == "tok-alice"


def test_two_users_get_their_own_connections(compiled):
    host = FakeNavidrome(compiled, config(users="alice:tok-a,bob:tok-b"))
    host.now_playing("alice", track(1))
    host.now_playing("bob", track(2))
    assert sorted(c for c, _ in host.connects) == ["alice", "bob"]
    connect_ready(host, "alice")
    connect_ready(host, "bob")
    assert host.frames("alice", op=2)[0]["d"]["token"] == "tok-a"
    assert host.frames("bob", op=2)[0]["d"]["token"] == "tok-b"
    assert host.frames("alice", op=3)[0]["d"]["activities"][0]["details"] == "Track 1"
    assert host.frames("bob", op=3)[0]["d"]["activities"][0]["details"] == "Track 2"
    host.playback_report("bob", track(2), "stopped")
    assert host.closes == [("bob", 1000, "playback stopped")] and "alice" in host.connections


def test_playback_report_honours_rate_and_pause_and_stop(host):
    ts = int(time.time())
    host.playback_report("alice", TRACK, "playing", position_ms=60_000, rate=2.0, ts=ts)
    connect_ready(host)
    [frame] = host.frames("alice", op=3)
    activity = frame["d"]["activities"][0]
    assert activity["timestamps"] == {"start": ts * 1000 - 30_000, "end": ts * 1000 - 30_000 + 168_750}

    host.playback_report("alice", TRACK, "paused", position_ms=90_000, ts=ts + 30)
    paused = host.frames("alice", op=3)[-1]["d"]["activities"][0]
    assert paused["timestamps"] == {"start": (ts + 30) * 1000}
    assert paused["assets"]["small_text"] == "Paused"
    assert paused["assets"]["small_image"].startswith("mp:")
    assert host.schedules["alice-clear"]["delay"] == 600  # default pause timeout

    # NowPlaying for the track PlaybackReport covers changes nothing.
    sent = len(host.sent)
    host.now_playing("alice", TRACK, position=90)
    assert len(host.sent) == sent

    host.playback_report("alice", TRACK, "stopped", position_ms=90_000, ts=ts + 40)
    cleared = host.frames("alice", op=3)[-1]["d"]
    assert cleared["activities"] == []
    assert host.closes == [("alice", 1000, "playback stopped")]
    assert "alice-heartbeat" not in host.schedules and "alice-clear" not in host.schedules
    assert not any(k.startswith("discord.alice.session") for k in host.cache)


def test_track_end_without_playback_report_clears_presence(host):
    host.now_playing("alice", TRACK)
    connect_ready(host)
    host.fire("alice-clear")
    assert host.frames("alice", op=3)[-1]["d"]["activities"] == []
    assert host.closes[-1][:2] == ("alice", 1000)


def test_texts_are_cut_to_discord_limits(host):
    long = dict(TRACK, title="T" * 300, artist="🎺" * 100, album="A")
    host.now_playing("alice", long)
    connect_ready(host)
    activity = host.frames("alice", op=3)[0]["d"]["activities"][0]
    assert activity["details"] == "T" * 127 + "…"
    assert len(activity["state"].encode("utf-16-le")) // 2 <= 128 and activity["state"].endswith("…")
    assert "large_text" not in activity["assets"]  # one character is rejected by Discord


def test_status_hide_details_and_custom_name(compiled):
    users = '[{"hidedetails":true,"status":"dnd","token":"t","username":"alice"}]'
    host = FakeNavidrome(compiled, config(users=users, activityname="Custom", activitynametemplate="{artist} – {track}"))
    host.now_playing("alice", TRACK)
    connect_ready(host)
    d = host.frames("alice", op=3)[0]["d"]
    assert d["status"] == "dnd"
    activity = d["activities"][0]
    assert activity["details"] == "Listening to music"
    assert "state" not in activity and "end" not in activity["timestamps"]
    assert "Blue in Green" not in json.dumps(d)

    host = FakeNavidrome(compiled, config(activityname="Custom", activitynametemplate="{artist} – {track}"))
    host.now_playing("alice", TRACK)
    connect_ready(host)
    activity = host.frames("alice", op=3)[0]["d"]["activities"][0]
    assert activity["name"] == "Miles Davis – Blue in Green" and activity["status_display_type"] == 0


def test_cover_art_archive_and_spotify_links(compiled):
    host = FakeNavidrome(compiled, config(caaenabled="true", spotifylinks="true"))
    tagged = dict(TRACK, mbzAlbumId="rel-1", mbzRecordingId="rec-1")
    cover = "https://archive.org/download/mbid-rel-1/front-500.jpg"
    host.routes["https://coverartarchive.org/release/rel-1/front-500"] = (307, {"Location": cover}, "")
    host.routes["https://labs.api.listenbrainz.org/spotify-id-from-mbid/json"] = (
        200, {}, json.dumps([{"recording_mbid": "rec-1", "spotify_track_ids": ["4sPmO7WMQUAf45kwMOtONw"]}]))
    host.now_playing("alice", tagged)
    connect_ready(host)
    activity = host.frames("alice", op=3)[0]["d"]["activities"][0]
    track_url = "https://open.spotify.com/track/4sPmO7WMQUAf45kwMOtONw"
    assert activity["details_url"] == track_url
    assert activity["assets"]["large_url"] == track_url
    assert activity["state_url"] == "https://open.spotify.com/search/Miles%20Davis"
    assert activity["assets"]["large_image"] == f"mp:{ASSET_PREFIX}archive.org/download/mbid-rel-1/front-500.jpg"
    head = [r for r in host.http if r["url"].startswith("https://coverartarchive.org/")][0]
    assert head["method"] == "HEAD" and head.get("noFollowRedirects") is True
    lookup = [r for r in host.http if "spotify-id-from-mbid" in r["url"]][0]
    assert json.loads(base64.b64decode(lookup["body"])) == [{"recording_mbid": "rec-1"}]


def test_unreachable_artwork_falls_back_to_the_default_image(compiled):
    host = FakeNavidrome(compiled, config())
    original = host.handle

    def local_artwork(name, req):
        if name == "artwork_gettrackurl":
            return {"url": "http://localhost/share/img/x?size=300"}
        return original(name, req)

    host.handle = local_artwork
    host.now_playing("alice", TRACK)
    connect_ready(host)
    image = host.frames("alice", op=3)[0]["d"]["activities"][0]["assets"]["large_image"]
    assert image == f"mp:{ASSET_PREFIX}raw.githubusercontent.com/navidrome/website/refs/heads/master/assets/icons/logo.webp"


def test_ignored_player_is_left_alone(compiled):
    host = FakeNavidrome(compiled, config(ignoredplayers="Feishin"))
    host.playback_report("alice", TRACK, "playing", player="feishin")
    host.now_playing("alice", TRACK)
    assert host.connects == []


# ---- gateway robustness ------------------------------------------------------------------------

def test_heartbeats_carry_the_last_sequence_and_a_missing_ack_resumes(host):
    host.now_playing("alice", TRACK)
    connect_ready(host)
    host.gateway("alice", {"op": 0, "s": 7, "t": "PRESENCE_UPDATE", "d": {"user": {"id": "9"}}})
    host.fire("alice-heartbeat")
    assert host.frames("alice", op=1)[-1] == {"op": 1, "d": 7}
    host.gateway("alice", {"op": 11, "d": None})
    host.fire("alice-heartbeat")  # acknowledged: a second heartbeat
    assert len(host.frames("alice", op=1)) == 2
    host.fire("alice-heartbeat")  # no ACK since: zombie → close 4000 and resume
    assert host.closes[-1][:2] == ("alice", 4000)
    assert host.connects[-1] == ("alice", "wss://resume.gateway.test/?v=10&encoding=json")
    host.gateway("alice", hello())
    resume = host.frames("alice", op=6)[-1]["d"]
    assert resume == {"token": "tok-alice", "session_id": "sess-1", "seq": 7}
    host.gateway("alice", {"op": 0, "s": 8, "t": "RESUMED", "d": {}})
    assert host.frames("alice", op=3)[-1]["d"]["activities"][0]["details"] == "Blue in Green"


def test_op7_reconnects_and_resumes(host):
    host.now_playing("alice", TRACK)
    connect_ready(host)
    host.gateway("alice", {"op": 7, "d": None})
    assert host.closes[-1][:2] == ("alice", 4000)
    assert host.connects[-1][1].startswith("wss://resume.gateway.test/")
    assert not any(sid.startswith("alice-reconnect") for sid in host.schedules)
    host.gateway("alice", hello())
    assert host.frames("alice")[-1]["op"] == 6


def test_op9_resumable_resumes_on_the_same_socket(host):
    host.now_playing("alice", TRACK)
    connect_ready(host)
    host.gateway("alice", {"op": 9, "d": True})
    assert host.frames("alice")[-1] == {"op": 6, "d": {"token": "tok-alice", "session_id": "sess-1", "seq": 1}}
    assert len(host.connects) == 1


def test_op9_not_resumable_identifies_again(host):
    host.now_playing("alice", TRACK)
    connect_ready(host)
    host.gateway("alice", {"op": 9, "d": False})
    assert host.schedules["alice-identify"]["delay"] == 2
    host.fire("alice-identify")
    assert host.frames("alice")[-1]["op"] == 2
    host.gateway("alice", ready(seq=1, session="sess-2"))
    assert host.frames("alice")[-1]["op"] == 3


def test_dropped_connection_resumes_with_backoff(host):
    host.now_playing("alice", TRACK)
    connect_ready(host)
    host.error("alice", "websocket: close 1006 (abnormal closure): unexpected EOF")
    assert host.schedules["alice-reconnect"]["delay"] == 1
    host.connect_error = "dial tcp: connection refused"
    host.fire("alice-reconnect")
    # Navidrome removes a one-time entry only after its callback, so the retry takes the other id.
    assert host.schedules["alice-reconnect-again"]["delay"] == 2
    host.connect_error = None
    host.fire("alice-reconnect-again")
    assert host.connects[-1][1].startswith("wss://resume.gateway.test/")
    host.gateway("alice", hello())
    assert host.frames("alice")[-1]["op"] == 6


def test_bad_token_is_fatal_and_never_retried(host):
    host.now_playing("alice", TRACK)
    host.gateway("alice", hello())
    host.error("alice", "websocket: close 4004 Authentication failed.")
    assert not any(s.startswith("alice-") for s in host.schedules)
    assert host.is_authorized("alice") is False
    connects = len(host.connects)
    with pytest.raises(extism.Error):
        host.now_playing("alice", TRACK)
    assert len(host.connects) == connects


def fingerprint(text):
    """What the plugin keeps of a frame it sent (`discord.<user>.delivered`): the byte length and
    an FNV-1a-style hash of the bytes eight at a time (little endian), the tail byte by byte."""
    data = text.encode()
    value = 0xCBF29CE484222325
    words = len(data) // 8
    for index in range(words):
        value = ((value ^ int.from_bytes(data[index * 8:index * 8 + 8], "little")) * 0x100000001B3) % (1 << 64)
    for byte in data[words * 8:]:
        value = ((value ^ byte) * 0x100000001B3) % (1 << 64)
    return f"{len(data)}-{value}"


def stored_presence(host, user="alice"):
    """The presence the plugin keeps for `user` (`discord.<user>.presence`): its fields (byte
    count, colon, bytes each) are the track id, start, paused flag and Presence Update frame."""
    data, fields, index = host.cache[f"discord.{user}.presence"][1].encode(), [], 0
    while index < len(data):
        colon = data.index(b":", index)
        end = colon + 1 + int(data[index:colon])
        fields.append(data[colon + 1:end].decode())
        index = end
    track, _, _, frame = fields
    return {"track": track, "frame": frame}


def test_rapid_skips_are_coalesced_within_the_presence_rate_limit(host):
    host.now_playing("alice", track(0))
    connect_ready(host)
    for n in range(1, 20):
        host.now_playing("alice", track(n))
    presences = host.frames("alice", op=3)
    assert len(presences) == 5
    assert "alice-flush" in host.schedules
    assert 1 <= host.schedules["alice-flush"]["delay"] <= 22
    pending = stored_presence(host)
    assert pending["track"] == "tr-19" and host.cache["discord.alice.delivered"][1] != fingerprint(pending["frame"])
    # Let the 20 s window pass (the send log lives in the cache), then the flush fires.
    host.cache["discord.alice.sends"] = ("string", f"60000;{int(time.time() * 1000) - 25_000};")
    host.fire("alice-flush")
    presences = host.frames("alice", op=3)
    assert len(presences) == 6
    assert presences[-1]["d"]["activities"][0]["details"] == "Track 19"
    assert host.cache["discord.alice.delivered"][1] == fingerprint(stored_presence(host)["frame"])


def test_a_presence_update_waits_while_another_call_holds_the_send_lock(host):
    host.now_playing("alice", track(0))
    connect_ready(host)
    assert len(host.frames("alice", op=3)) == 1
    assert "alice-sending" not in host.schedules  # released after the send
    # Another call (a flush, READY) is sending: its lock is the one-time schedule alice-sending.
    host.schedules["alice-sending"] = {"payload": "", "recurring": False, "cron": None, "delay": 60}
    host.now_playing("alice", track(1))
    assert len(host.frames("alice", op=3)) == 1
    assert host.schedules["alice-flush"]["delay"] == 1
    assert host.cache["discord.alice.delivered"][1] != fingerprint(stored_presence(host)["frame"])
    del host.schedules["alice-sending"]
    host.fire("alice-flush")
    presences = host.frames("alice", op=3)
    assert len(presences) == 2
    assert presences[-1]["d"]["activities"][0]["details"] == "Track 1"
    assert "alice-sending" not in host.schedules


def fire_flushes(host):
    for _ in range(4):
        due = [s for s in ("alice-flush", "alice-flush-again") if s in host.schedules]
        if not due:
            return
        host.fire(due[0])


def test_a_presence_stored_while_another_call_sends_is_shown(compiled):
    """Track 1's call sends; another call (a playback event) stores Track 2 right after the
    k-th host function the first call makes once its frame is out, for every k up to its end.
    Whatever the interleaving, Track 2 ends up on Discord."""
    k = 0
    while True:
        host = FakeNavidrome(compiled, config())
        host.now_playing("alice", track(0))
        connect_ready(host)
        state = {"since_send": None, "done": False}

        def other_call(name, req, host=host, state=state):
            if state["done"]:
                return
            if state["since_send"] is None:
                if name == "websocket_sendtext" and '"Track 1"' in req["message"]:
                    state["since_send"] = 0
                return
            if state["since_send"] < k:
                state["since_send"] += 1
                return
            state["done"] = True
            host.now_playing("alice", track(2))

        host.after_host_call = other_call
        host.now_playing("alice", track(1))
        host.after_host_call = None
        interleaved = state["done"]
        if not interleaved:
            host.now_playing("alice", track(2))
        fire_flushes(host)
        shown = host.frames("alice", op=3)[-1]["d"]["activities"][0]["details"]
        assert shown == "Track 2", f"Track 2 stored after host function {k} following the send"
        if not interleaved:
            break
        k += 1
    assert k >= 3


def test_large_ready_and_unrelated_dispatches(host):
    host.now_playing("alice", TRACK)
    host.gateway("alice", hello())
    big = ready()
    big["d"]["guilds"] = [{"id": str(i), "name": "guild " + "x" * 350, "channels": [{"id": str(j)} for j in range(10)]}
                          for i in range(1000)]
    text = json.dumps(big)
    assert len(text) > 500_000
    host.gateway("alice", text)
    assert host.frames("alice")[-1]["op"] == 3
    host.gateway("alice", {"t": "SESSIONS_REPLACE", "s": 41, "op": 0, "d": [{"status": "online"}]})
    assert host.cache["discord.alice.seq"] == ("int", 41)


SECRECY_RUN = """
import sys
import extism
extism.set_log_file(sys.argv[1], "trace")
sys.path.insert(0, sys.argv[2])
import test_discord_gateway as t
compiled = t.compiled.__wrapped__()
host = t.FakeNavidrome(compiled, t.config(users="alice:tok-secret-123"))
host.now_playing("alice", t.TRACK)
t.connect_ready(host)
host.error("alice", "websocket: close 4004 Authentication failed.")
host.is_authorized("alice")
"""


def test_tokens_never_reach_the_log(compiled, tmp_path):
    # Extism's log sink is process-wide and set once, so this runs in its own process.
    log = tmp_path / "extism.log"
    subprocess.run([sys.executable, "-c", SECRECY_RUN, str(log), str(pathlib.Path(__file__).parent)],
                   check=True, timeout=120)
    text = log.read_text()
    assert "4004" in text  # the reason is logged…
    assert "tok-secret-123" not in text  # …the token never


# ---- presence features: member-list line, server name, templates, links, filters, invisible -----

RECORDING = "5b11f4ce-a62d-471e-81fc-a69a8278c7da"
ARTIST = "561d854a-6a28-4aa7-8c99-323e6ce46c2a"
RELEASE = "8e8a594f-2175-4d39-a0f8-e8a2b6c5d0b2"


def shown(host, user="alice"):
    frames = host.frames(user, op=3)
    return frames[-1]["d"] if frames else None


def test_status_display_is_independent_of_the_activity_name(compiled):
    users = '[{"token":"a","username":"alice"},{"token":"b","username":"bob","statusdisplay":"Details"}]'
    host = FakeNavidrome(compiled, config(users=users, activityname="Album", statusdisplay="State"))
    for user in ("alice", "bob"):
        host.now_playing(user, TRACK)
        connect_ready(host, user)
    alice, bob = shown(host, "alice")["activities"][0], shown(host, "bob")["activities"][0]
    assert alice["name"] == "Kind of Blue" and alice["status_display_type"] == 1
    assert bob["name"] == "Kind of Blue" and bob["status_display_type"] == 2


def test_server_name_and_images_follow_the_server(compiled):
    # A server that does not say what it is: "Music", and no Navidrome logo without art.
    host = FakeNavidrome(compiled, config())
    host.server_type = None
    host.handle, original = (lambda name, req: {} if name == "artwork_gettrackurl" else original(name, req)), host.handle
    host.now_playing("alice", TRACK)
    connect_ready(host)
    activity = shown(host)["activities"][0]
    assert activity["name"] == "Music" and "assets" not in activity
    assert any("/ping?u=alice" in uri for uri in host.subsonic_calls)

    # gonic says so; a custom default image and the overlay.
    host = FakeNavidrome(compiled, config(defaultimage="https://img.example.org/default.png", overlay="true"))
    host.server_type = "gonic"
    host.now_playing("alice", TRACK)
    connect_ready(host)
    activity = shown(host)["activities"][0]
    assert activity["name"] == "gonic"
    assert activity["assets"]["small_image"] == f"mp:{ASSET_PREFIX}img.example.org/default.png"
    assert activity["assets"]["small_text"] == "gonic"

    # servername overrides what the server says.
    host = FakeNavidrome(compiled, config(servername="Jukebox"))
    host.now_playing("alice", TRACK)
    connect_ready(host)
    assert shown(host)["activities"][0]["name"] == "Jukebox"


def test_templates_fill_details_state_and_hover_text(compiled):
    host = FakeNavidrome(compiled, config(detailstemplate="{track} ({year})", statetemplate="{artist} · {player}",
                                          largetexttemplate="{album} — {albumartist}"))
    host.song_years["tr-1"] = 1959
    host.playback_report("alice", TRACK, "playing", player="Feishin")
    connect_ready(host)
    activity = shown(host)["activities"][0]
    assert activity["details"] == "Blue in Green (1959)"
    assert activity["state"] == "Miles Davis · Feishin"
    assert activity["assets"]["large_text"] == "Kind of Blue — Miles Davis"
    # Cut on a character boundary: never inside the combining accent.
    host = FakeNavidrome(compiled, config(detailstemplate="{track}"))
    host.now_playing("alice", dict(TRACK, title="a" * 126 + "e\u0301" + "tail"))
    connect_ready(host)
    assert shown(host)["activities"][0]["details"] == "a" * 126 + "…"


def test_musicbrainz_and_listenbrainz_links(compiled):
    tagged = dict(TRACK, mbzRecordingId=RECORDING, mbzAlbumId=RELEASE,
                  artists=[{"id": "ar-1", "name": "Miles Davis", "mbid": ARTIST}])
    host = FakeNavidrome(compiled, config())
    host.now_playing("alice", tagged)
    connect_ready(host)
    activity = shown(host)["activities"][0]
    assert activity["details_url"] == f"https://musicbrainz.org/recording/{RECORDING}"
    assert activity["state_url"] == f"https://musicbrainz.org/artist/{ARTIST}"
    assert activity["assets"]["large_url"] == f"https://musicbrainz.org/release/{RELEASE}"

    host = FakeNavidrome(compiled, config(links="ListenBrainz"))
    host.now_playing("alice", dict(tagged, mbzAlbumId="", mbzReleaseGroupId=RELEASE))
    connect_ready(host)
    activity = shown(host)["activities"][0]
    assert activity["details_url"] == f"https://listenbrainz.org/track/{RECORDING}/"
    assert activity["assets"]["large_url"] == f"https://listenbrainz.org/album/{RELEASE}/"

    host = FakeNavidrome(compiled, config(links="None"))
    host.now_playing("alice", tagged)
    connect_ready(host)
    activity = shown(host)["activities"][0]
    assert not any(key.endswith("_url") for key in list(activity) + list(activity["assets"]))


def test_filtered_tracks_never_reach_discord(compiled):
    host = FakeNavidrome(compiled, config(filterartists="miles*", filteralbums="Other"))
    host.now_playing("alice", TRACK)
    assert host.connects == [] and host.http == []

    users = '[{"token":"a","username":"alice","filtertitles":"blue in green"}]'
    host = FakeNavidrome(compiled, config(users=users))
    host.now_playing("alice", track(1))
    connect_ready(host)
    assert shown(host)["activities"][0]["details"] == "Track 1"
    host.now_playing("alice", TRACK)
    assert shown(host)["activities"] == [] and host.closes[-1][:2] == ("alice", 1000)
    assert "Blue in Green" not in json.dumps(host.sent) + json.dumps(host.http)

    host = FakeNavidrome(compiled, config(filterlibraries="4", filteraction="Generic"))
    host.now_playing("alice", dict(TRACK, libraryId=4))
    connect_ready(host)
    activity = shown(host)["activities"][0]
    assert activity["details"] == "Listening to music" and "state" not in activity
    assert "Blue in Green" not in json.dumps(host.sent) + json.dumps(host.http)


def test_tracks_without_a_server_id_get_cover_art_archive_art(compiled):
    host = FakeNavidrome(compiled, config())
    cover = "https://archive.org/download/front.jpg"
    host.routes[f"https://coverartarchive.org/release/{RELEASE}/front-500"] = (307, {"Location": cover}, "")
    host.now_playing("alice", dict(TRACK, id="", mbzAlbumId=RELEASE))
    connect_ready(host)
    assert shown(host)["activities"][0]["assets"]["large_image"] == f"mp:{ASSET_PREFIX}archive.org/download/front.jpg"


def test_an_invisible_client_hides_the_presence_until_it_changes(host):
    host.now_playing("alice", TRACK)
    host.gateway("alice", hello())
    sessions = [{"session_id": "sess-1", "status": "online"}, {"session_id": "desktop", "status": "invisible"},
                {"session_id": "all", "status": "invisible"}]
    frame = ready()
    frame["d"]["sessions"] = sessions
    host.gateway("alice", frame)
    assert shown(host) == {"since": 0, "activities": [], "status": "invisible", "afk": True}
    host.gateway("alice", {"op": 0, "s": 2, "t": "SESSIONS_REPLACE",
                           "d": [{"session_id": "sess-1", "status": "invisible"}, {"session_id": "desktop", "status": "dnd"}]})
    visible = shown(host)
    assert visible["status"] == "online" and visible["activities"][0]["details"] == "Blue in Green"
