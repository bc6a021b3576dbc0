"""Plugins/subsonicapi-demo in the reference Extism runtime, with a Navidrome-emulating host.

`subsonicapi_call` is emulated as Navidrome master implements it (plugins/host_subsonicapi.go):
the `u` parameter is required, the permission check of `checkPermissions` runs with Navidrome's
error texts, `c`/`v`/`f=json` are forced, the endpoint is the last path segment, and the
request is then REALLY sent to a Subsonic-like HTTP server on 127.0.0.1 (a thread), whose
body is returned as `responseJson`. Tonearm's extra rule (admins refused unless the operator
sets AllowAdmins, Sources/HostServices/SubsonicAPIService.swift) is emulated where a test says
so. Users, KV store and scheduler answer as Navidrome's do. Every network request goes to
loopback; every wait has a timeout.
"""

import base64
import json
import posixpath
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler

import extism
import pytest

from conftest import HOST_FUNCTION_OBJECTS, ROOT, LoopbackServer, ensure_built, wasm_from_ndp, wasm_imports_exports

PLUGIN = ROOT / "Plugins" / "subsonicapi-demo"
PLUGIN_ID = "subsonicapi-demo"
TIMEOUT_S = 5

# Navidrome's user table: (id, userName, name, isAdmin), in DB order.
USERS = [("u-root", "root", "Root", True), ("u-alice", "alice", "Alice", False),
         ("u-bob", "bob", "Bob", False), ("u-mallory", "mallory", "Mallory", False)]

ALBUMS = [  # newest first, as getAlbumList2?type=newest orders them
    {"id": "al-3", "name": "Heligoland", "artist": "Massive Attack", "year": 2010, "created": "2024-03-01T10:00:00Z"},
    {"id": "al-2", "name": "Dummy", "artist": "Portishead", "year": 1994, "created": "2024-02-01T10:00:00Z"},
    {"id": "al-1", "name": "Mezzanine", "artist": "Massive Attack", "year": 1998, "created": "2024-01-01T10:00:00Z"},
    {"id": "al-0", "name": "Untitled", "artist": "Anon", "created": "2023-12-01T10:00:00Z"},
]
NOW_PLAYING = [{"id": "tr-1", "title": "Teardrop", "artist": "Massive Attack", "album": "Mezzanine",
                "username": "bob", "minutesAgo": 1, "playerId": 7, "playerName": "Feishin"}]


class SubsonicServer:
    """A Subsonic-like server on 127.0.0.1: getNowPlaying and getAlbumList2 in JSON, error 40
    for an unknown user (what Navidrome's internal auth gives a name it cannot find)."""

    def __init__(self):
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                server.requests.append((url.path, query))
                body = server.answer(url.path, query, self.headers.get("X-Internal-User", ""))
                data = json.dumps({"subsonic-response": body}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.loopback = LoopbackServer(Handler)
        self.base = self.loopback.base

    @staticmethod
    def answer(path, query, user):
        ok = {"status": "ok", "version": "1.16.1", "type": "tonearm-test", "openSubsonic": True}
        if not any(u[1].lower() == user.lower() for u in USERS):
            return {"status": "failed", "version": "1.16.1", "error": {"code": 40, "message": "Wrong username or password"}}
        if path == "/rest/getNowPlaying":
            return {**ok, "nowPlaying": {"entry": NOW_PLAYING}}
        if path == "/rest/getAlbumList2" and query.get("type") == "newest":
            return {**ok, "albumList2": {"album": ALBUMS[:int(query.get("size", "10"))]}}
        return {"status": "failed", "version": "1.16.1", "error": {"code": 0, "message": "unknown endpoint"}}

    def close(self):
        self.loopback.close()


@pytest.fixture(scope="module")
def ndp():
    return ensure_built(PLUGIN)


@pytest.fixture
def subsonic():
    s = SubsonicServer()
    yield s
    s.close()


class NavidromeHost:
    """The host services subsonicapi-demo imports, answering as Navidrome (or Tonearm) does."""

    def __init__(self, recorder, subsonic):
        self.subsonic = subsonic
        self.assigned = []         # user IDs assigned to the plugin
        self.all_users = False
        self.tonearm_allow_admins = None  # None: Navidrome's rules; False/True: Tonearm's AllowAdmins
        self.kv = {}
        self.schedules = {}
        recorder.respond.update({
            "subsonicapi_call": self.subsonicapi_call,
            "users_getusers": self.users_getusers,
            "kvstore_set": self.kvstore_set,
            "scheduler_schedulerecurring": self.schedule,
            "scheduler_scheduleonetime": self.schedule,
        })

    def allowed(self, user_id):
        return self.all_users or user_id in self.assigned

    # plugins/host_users.go GetUsers: the assigned users (all with allUsers), in DB order.
    def users_getusers(self, _request):
        result = [{"userName": u[1], "name": u[2], "isAdmin": u[3]} for u in USERS if self.allowed(u[0])]
        return {"result": result} if result else {}

    # plugins/host_subsonicapi.go executeRequest + checkPermissions (master 295886cb).
    def subsonicapi_call(self, request):
        url = urllib.parse.urlsplit(request["uri"])
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        username = (query.get("u") or [""])[0]
        if not username:
            return {"error": "missing required parameter 'u' (username)"}
        if not self.all_users:
            if not self.assigned:
                return {"error": f"no users configured for plugin {PLUGIN_ID}"}
            user = next((u for u in USERS if u[1].lower() == username.lower()), None)
            if user is None:
                return {"error": f"username {username} not found"}
            if not self.allowed(user[0]):
                return {"error": f"user {username} is not authorized for this plugin"}
        if self.tonearm_allow_admins is False:
            user = next((u for u in USERS if u[1].lower() == username.lower()), None)
            if user and user[3] and self.allowed(user[0]):
                return {"error": f'user "{user[1]}" is an admin and this plugin is not allowed to act for admin users'}
        query["c"] = [PLUGIN_ID]
        query["v"] = ["1.16.1"]
        query["f"] = ["json"]
        endpoint = posixpath.basename(url.path)
        target = f"{self.subsonic.base}/rest/{endpoint}?{urllib.parse.urlencode(sorted(query.items()), doseq=True)}"
        # Internal auth as `u`: no password is checked (request.WithInternalAuth).
        http_request = urllib.request.Request(target, headers={"X-Internal-User": username})
        with urllib.request.urlopen(http_request, timeout=TIMEOUT_S) as response:
            return {"responseJson": response.read().decode()}

    def kvstore_set(self, r):
        self.kv[r["key"]] = json.loads(base64.b64decode(r["value"]))
        return {}

    def schedule(self, r):
        if r["scheduleId"] in self.schedules:
            return {"error": f"schedule ID {r['scheduleId']!r} already exists"}
        self.schedules[r["scheduleId"]] = r
        return {"newScheduleId": r["scheduleId"]}


@pytest.fixture
def navidrome(host, subsonic):
    return NavidromeHost(host, subsonic)


def load(ndp, config=None):
    wasm, _ = wasm_from_ndp(ndp)
    manifest = {"wasm": [{"data": base64.b64encode(wasm).decode()}], "timeout_ms": 15000}
    return extism.Plugin(manifest, wasi=True, config=config or {}, functions=HOST_FUNCTION_OBJECTS)


def run_digest(plugin):
    return plugin.call("nd_scheduler_callback", json.dumps({"scheduleId": "digest", "payload": "", "isRecurring": True}))


def refused(plugin):
    with pytest.raises(extism.Error) as failure:
        run_digest(plugin)
    return str(failure.value)


def test_manifest_declares_what_navidrome_checks(ndp):
    wasm, manifest = wasm_from_ndp(ndp)
    imports, exports = wasm_imports_exports(wasm)
    permissions = manifest["permissions"]
    # master plugins/manifest.go: 'subsonicapi' requires 'users'; the scheduler permission
    # requires the nd_scheduler_callback export (plugins/manager_loader.go).
    assert "subsonicapi" in permissions and "users" in permissions
    assert "nd_scheduler_callback" in exports and "nd_on_init" in exports
    user_imports = {name for module, name in imports if module == "extism:host/user"}
    assert user_imports <= {"subsonicapi_call", "users_getusers", "kvstore_set",
                            "scheduler_schedulerecurring", "scheduler_scheduleonetime"}
    assert {"subsonicapi_call", "users_getusers"} <= user_imports
    assert manifest["author"] == "Tonearm" and all(p.get("reason") for p in permissions.values())


def test_init_schedules_the_digest(ndp, navidrome):
    assert load(ndp, {"schedule": "@every 1h"}).call("nd_on_init", "{}") == b""
    assert navidrome.schedules["digest"]["cronExpression"] == "@every 1h"
    assert navidrome.schedules["digest-first"]["delaySeconds"] == 10


def test_a_digest_as_an_assigned_user_reads_the_real_server(ndp, navidrome, subsonic):
    navidrome.assigned = ["u-alice"]
    assert run_digest(load(ndp, {"user": "alice", "albumCount": "3"})) == b""
    assert subsonic.requests == [
        ("/rest/getNowPlaying", {"u": "alice", "c": PLUGIN_ID, "v": "1.16.1", "f": "json"}),
        ("/rest/getAlbumList2", {"u": "alice", "c": PLUGIN_ID, "v": "1.16.1", "f": "json", "type": "newest", "size": "3"}),
    ]
    digest = navidrome.kv["digest"]
    assert digest["user"] == "alice"
    assert digest["nowPlaying"] == [{"username": "bob", "title": "Teardrop", "artist": "Massive Attack",
                                     "album": "Mezzanine", "playerName": "Feishin", "minutesAgo": 1}]
    assert digest["newestAlbums"] == [{"id": a["id"], "name": a["name"], "artist": a["artist"], "year": a["year"]}
                                      for a in ALBUMS[:3]]
    assert navidrome.kv["last-run"] == {"ok": True, "at": digest["at"], "user": "alice"}


def test_without_a_configured_user_the_first_assigned_non_admin_is_used(ndp, navidrome, subsonic):
    navidrome.assigned = ["u-root", "u-bob"]
    assert run_digest(load(ndp)) == b""
    assert {q["u"] for _, q in subsonic.requests} == {"bob"}
    assert subsonic.requests[1][1]["size"] == "10"


def test_a_user_outside_the_allowed_list_is_refused_by_the_host(ndp, navidrome, subsonic):
    navidrome.assigned = ["u-alice"]
    message = refused(load(ndp, {"user": "mallory"}))
    assert message == ("Subsonic API refused getNowPlaying as 'mallory': user mallory is not authorized for this plugin "
                       "(assign 'mallory' to the plugin, or set 'user' to an assigned user)")
    assert subsonic.requests == []
    assert navidrome.kv["last-run"]["ok"] is False and navidrome.kv["last-run"]["error"] == message
    assert "digest" not in navidrome.kv


def test_an_unknown_user_and_no_assigned_users_are_refused_with_navidromes_texts(ndp, navidrome, subsonic):
    navidrome.assigned = ["u-alice"]
    assert refused(load(ndp, {"user": "ghost"})) == (
        "Subsonic API refused getNowPlaying as 'ghost': username ghost not found (check the 'user' setting: there is no such user)")
    navidrome.assigned = []
    assert refused(load(ndp, {"user": "alice"})) == (
        f"Subsonic API refused getNowPlaying as 'alice': no users configured for plugin {PLUGIN_ID} (assign at least one user to the plugin)")
    assert refused(load(ndp)) == "no user to call the Subsonic API as: assign users to the plugin or set 'user'"
    assert subsonic.requests == []


def test_navidrome_lets_an_assigned_admin_through(ndp, navidrome, subsonic):
    # master has no admin flag: checkPermissions only looks at the assignment.
    navidrome.assigned = ["u-root"]
    assert run_digest(load(ndp, {"user": "root"})) == b""
    assert [q["u"] for _, q in subsonic.requests] == ["root", "root"]


def test_an_admin_without_the_admin_flag_is_refused_by_tonearm(ndp, navidrome, subsonic):
    navidrome.assigned = ["u-root", "u-alice"]
    navidrome.tonearm_allow_admins = False
    message = refused(load(ndp, {"user": "root"}))
    assert message == ('Subsonic API refused getNowPlaying as \'root\': user "root" is an admin and this plugin is not '
                       "allowed to act for admin users (the host does not let this plugin act as an admin "
                       "(Tonearm: AllowAdmins = true in [Plugins.<id>]); or set 'user' to a non-admin)")
    assert subsonic.requests == []
    navidrome.tonearm_allow_admins = True
    assert run_digest(load(ndp, {"user": "root"})) == b""


def test_with_all_users_an_unknown_name_fails_inside_subsonic(ndp, navidrome, subsonic):
    # allUsers skips the lookup: the name reaches the Subsonic router, which answers error 40.
    navidrome.all_users = True
    assert refused(load(ndp, {"user": "ghost"})) == "Subsonic error 40 on getNowPlaying as 'ghost': Wrong username or password"
    assert subsonic.requests[0][1]["u"] == "ghost"
