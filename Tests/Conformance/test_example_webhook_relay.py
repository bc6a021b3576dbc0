"""Plugins/webhook-relay in the reference Extism runtime, with a Navidrome-emulating host.

`http_send` performs REAL HTTP, as Navidrome's host does (plugins/host_httpclient.go), to a
webhook receiver on 127.0.0.1 (Python http.server in a thread), so the tests check what
actually arrived. The KV store is an in-memory copy of Navidrome's (plugins/host_kvstore.go).
The status page is driven through HTTPEndpoint's binary frame as Navidrome's branch
`plugins-endpoints` builds it (plugins/http_endpoint.go). Every network request goes to
loopback; every wait has a timeout.
"""

import base64
import json
import queue
import socket
import struct
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import extism
import pytest

from conftest import (HOST_FUNCTION_OBJECTS, ROOT, TRACK, LoopbackServer, ensure_built, loopback_http_send, wasm_from_ndp,
                      wasm_imports_exports)

PLUGIN = ROOT / "Plugins" / "webhook-relay"
TIMEOUT_S = 5
SECRET = "s3cr3t-never-logged"


@pytest.fixture(scope="module")
def ndp():
    return ensure_built(PLUGIN)


class Receiver:
    """A webhook receiver on 127.0.0.1: records every request, answers with queued statuses."""

    def __init__(self):
        self.requests = queue.Queue()
        self.statuses = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.put({"method": "POST", "path": self.path,
                                       "headers": dict(self.headers.items()), "body": body})
                try:
                    status = receiver.statuses.get_nowait()
                except queue.Empty:
                    status = 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.loopback = LoopbackServer(Handler)
        self.url = self.loopback.base + "/hook/t0ken-in-path?k=v"

    def received(self):
        return self.requests.get(timeout=TIMEOUT_S)

    def close(self):
        self.loopback.close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class NavidromeHost:
    """The host services webhook-relay imports, answering as Navidrome does."""

    def __init__(self, recorder, manifest):
        self.kv = {}
        self.http = []
        self.required_hosts = manifest["permissions"]["http"].get("requiredHosts") or []
        recorder.respond.update({
            "http_send": self.http_send,
            "kvstore_set": self.kvstore_set,
            "kvstore_get": self.kvstore_get,
            "kvstore_list": self.kvstore_list,
            "kvstore_getmany": self.kvstore_getmany,
        })

    # plugins/host_httpclient.go: method upper-cased (empty = GET), host checked against
    # requiredHosts ("*" matches every host), 4xx/5xx are results, network errors are errors.
    def http_send(self, request):
        r = request["request"]
        self.http.append(r)
        url = urllib.parse.urlsplit(r["url"])
        if not any(p == "*" or p == url.hostname for p in self.required_hosts):
            return {"error": f"host {url.netloc!r} is not allowed"}
        return loopback_http_send(request)

    def kvstore_set(self, r):
        if not r["key"] or len(r["key"].encode()) > 256:
            return {"error": "key must be 1 to 256 bytes"}
        self.kv[r["key"]] = base64.b64decode(r.get("value") or "")
        return {}

    def kvstore_get(self, r):
        if r["key"] not in self.kv:
            return {}
        value = self.kv[r["key"]]
        return {"value": base64.b64encode(value).decode(), "exists": True} if value else {"exists": True}

    def kvstore_list(self, r):
        # SQLite LIKE: ASCII case is ignored.
        keys = sorted(k for k in self.kv if k.lower().startswith((r.get("prefix") or "").lower()))
        return {"keys": keys} if keys else {}

    def kvstore_getmany(self, r):
        values = {k: base64.b64encode(self.kv[k]).decode() for k in r.get("keys") or [] if k in self.kv}
        return {"values": values} if values else {}

    def stats(self, key):
        return json.loads(self.kv[key])


@pytest.fixture
def navidrome(ndp, host):
    return NavidromeHost(host, wasm_from_ndp(ndp)[1])


def load(ndp, config):
    wasm, _ = wasm_from_ndp(ndp)
    manifest = {"wasm": [{"data": base64.b64encode(wasm).decode()}], "timeout_ms": 15000}
    return extism.Plugin(manifest, wasi=True, config=config, functions=HOST_FUNCTION_OBJECTS)


def scrobble(plugin, username="alice", timestamp=1_700_000_000):
    return plugin.call("nd_scrobbler_scrobble", json.dumps({"username": username, "track": TRACK, "timestamp": timestamp}))


def frame(method, path, query="", headers=None, body=b"", user=None):
    """The request frame as Navidrome's endpoint router writes it (plugins/http_endpoint.go
    dispatch + callPluginFunctionRaw): JSON without empty fields, the body also as base64."""
    request = {"method": method, "path": path}
    if query:
        request["query"] = query
    if headers:
        request["headers"] = headers
    if body:
        request["body"] = base64.b64encode(body).decode()
    if user:
        request["user"] = user
    text = json.dumps(request).encode()
    return struct.pack(">I", len(text)) + text + body


def unframe(out):
    assert out[:1] == b"\x00", out
    (length,) = struct.unpack(">I", out[1:5])
    return json.loads(out[5:5 + length]), out[5 + length:]


ADMIN = {"id": "u-root", "username": "root", "name": "Root", "isAdmin": True}
ALICE = {"id": "u-alice", "username": "alice", "name": "Alice", "isAdmin": False}


def test_manifest_declares_what_navidrome_checks(ndp):
    wasm, manifest = wasm_from_ndp(ndp)
    imports, exports = wasm_imports_exports(wasm)
    permissions = manifest["permissions"]
    # branch plugins-endpoints, plugins/manifest.go: the HTTPEndpoint capability needs
    # `endpoints`; auth native or subsonic needs `users`; `auth` is required.
    assert "nd_http_handle_request" in exports
    assert permissions["endpoints"]["auth"] in ("native", "subsonic", "none")
    assert permissions["endpoints"]["auth"] == "none" or "users" in permissions
    # master: Scrobbler exports need `users`; host functions exist only for declared permissions.
    assert {"nd_scrobbler_is_authorized", "nd_scrobbler_now_playing", "nd_scrobbler_scrobble"} <= set(exports)
    assert "nd_scrobbler_playback_report" not in exports
    user_imports = {name for module, name in imports if module == "extism:host/user"}
    assert user_imports <= {"http_send", "kvstore_set", "kvstore_get", "kvstore_list", "kvstore_getmany"}
    assert "http_send" in user_imports and "http" in permissions and "kvstore" in permissions
    assert manifest["author"] == "Tonearm" and manifest["config"]["schema"]["required"] == ["url"]
    assert all(p.get("reason") for p in permissions.values())


def test_authorized_only_with_a_url(ndp, navidrome):
    assert load(ndp, {}).call("nd_scrobbler_is_authorized", json.dumps({"username": "alice"})) == b"false"
    assert load(ndp, {"url": "http://127.0.0.1:9/x"}).call("nd_scrobbler_is_authorized", json.dumps({"username": "alice"})) == b"true"


def test_a_scrobble_arrives_at_the_webhook_with_the_secret_header(ndp, navidrome, receiver):
    plugin = load(ndp, {"url": receiver.url, "secret": SECRET, "secretHeader": "X-Relay-Token"})
    assert scrobble(plugin) == b""
    got = receiver.received()
    assert got["method"] == "POST"
    assert got["path"] == "/hook/t0ken-in-path?k=v"
    assert got["headers"]["Content-Type"] == "application/json"
    assert got["headers"]["User-Agent"] == "Tonearm-webhook-relay/1.0.0"
    assert got["headers"]["X-Relay-Token"] == SECRET
    assert json.loads(got["body"]) == {"event": "scrobble", "username": "alice", "timestamp": 1_700_000_000, "track": TRACK}
    assert navidrome.http[0]["timeoutMs"] == 10000
    stats = navidrome.stats("stats/scrobble/alice")
    assert stats["delivered"] == 1 and stats["failed"] == 0 and stats["lastStatus"] == 204
    assert receiver.requests.empty()


def test_now_playing_is_relayed_only_when_enabled(ndp, navidrome, receiver):
    request = json.dumps({"username": "bob", "track": TRACK, "position": 42})
    assert load(ndp, {"url": receiver.url}).call("nd_scrobbler_now_playing", request) == b""
    assert navidrome.http == []
    # Navidrome flattens a boolean config value to "true" (plugins/manager_loader.go parsePluginConfig).
    assert load(ndp, {"url": receiver.url, "nowPlaying": "true"}).call("nd_scrobbler_now_playing", request) == b""
    got = receiver.received()
    assert json.loads(got["body"]) == {"event": "nowPlaying", "username": "bob", "position": 42, "track": TRACK}
    assert "X-Webhook-Secret" not in got["headers"]
    assert navidrome.stats("stats/nowPlaying/bob")["delivered"] == 1


@pytest.mark.parametrize("status,kind", [(503, "retry_later"), (500, "retry_later"), (429, "retry_later"),
                                         (404, "retry_later"), (422, "unrecoverable"), (400, "unrecoverable")])
def test_receiver_failures_map_to_navidromes_scrobbler_errors(ndp, navidrome, receiver, status, kind):
    receiver.statuses.put(status)
    with pytest.raises(extism.Error) as failure:
        scrobble(load(ndp, {"url": receiver.url}))
    port = receiver.loopback.server.server_address[1]
    assert str(failure.value) == f"scrobbler({kind}): webhook http://127.0.0.1:{port}/… answered HTTP {status}"
    assert receiver.received()["path"] == "/hook/t0ken-in-path?k=v"
    stats = navidrome.stats("stats/scrobble/alice")
    assert stats["failed"] == 1 and stats["delivered"] == 0


def test_an_unreachable_webhook_is_retried_later_without_leaking_url_or_secret(ndp, navidrome):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook/t0ken-in-path"
    with pytest.raises(extism.Error) as failure:
        scrobble(load(ndp, {"url": url, "secret": SECRET}))
    message = str(failure.value)
    assert message.startswith(f"scrobbler(retry_later): webhook http://127.0.0.1:{port}/… unreachable: ")
    assert "connection refused" in message
    stored = b"".join(navidrome.kv.values()).decode()
    for text in (message, stored):
        assert "t0ken-in-path" not in text and SECRET not in text
    assert navidrome.stats("stats/scrobble/alice")["failed"] == 1


def test_status_page_through_the_endpoint_frame(ndp, navidrome, receiver):
    plugin = load(ndp, {"url": receiver.url, "secret": SECRET})
    scrobble(plugin, "alice", 1_700_000_000)
    scrobble(plugin, "bob", 1_700_000_001)
    receiver.statuses.put(503)
    with pytest.raises(extism.Error):
        scrobble(plugin, "alice", 1_700_000_002)
    for _ in range(3):
        receiver.received()

    # GET / as JSON, by an admin: every user.
    meta, body = unframe(plugin.call("nd_http_handle_request", frame("GET", "", "format=json", user=ADMIN)))
    assert meta == {"status": 200, "headers": {"Content-Type": ["application/json"], "Cache-Control": ["no-store"]}}
    status = json.loads(body)
    port = receiver.loopback.server.server_address[1]
    assert status["configured"] is True and status["secret"] is True
    assert status["webhook"] == f"http://127.0.0.1:{port}/…"
    assert (status["delivered"], status["failed"]) == (2, 1)
    assert [(u["username"], u["delivered"], u["failed"]) for u in status["users"]] == [("alice", 1, 1), ("bob", 1, 0)]
    assert status["lastFailure"]["error"] == f"webhook http://127.0.0.1:{port}/… answered HTTP 503"

    # A non-admin (Accept header, Go canonical name) sees totals and only their own rows.
    headers = {"Accept": ["application/json"], "User-Agent": ["curl/8"]}
    meta, body = unframe(plugin.call("nd_http_handle_request", frame("GET", "", headers=headers, user=ALICE)))
    status = json.loads(body)
    assert status["delivered"] == 2 and [u["username"] for u in status["users"]] == ["alice"]

    # GET / as HTML (the default), with no secret in it.
    meta, body = unframe(plugin.call("nd_http_handle_request", frame("GET", "", user=ADMIN)))
    assert meta["headers"]["Content-Type"] == ["text/html; charset=utf-8"]
    page = body.decode()
    assert page.startswith("<!doctype html>") and "<p>Delivered: 2 · Failed: 1</p>" in page
    assert SECRET not in page and "t0ken-in-path" not in page

    # HEAD: same status and headers, no body.
    meta, body = unframe(plugin.call("nd_http_handle_request", frame("HEAD", "", user=ADMIN)))
    assert meta["status"] == 200 and body == b""

    # Other methods on / are 405 with Allow; other paths are 404.
    meta, body = unframe(plugin.call("nd_http_handle_request", frame("POST", "", body=b'{"x":1}', user=ADMIN)))
    assert meta == {"status": 405, "headers": {"Content-Type": ["text/plain; charset=utf-8"], "Allow": ["GET, HEAD"]}}
    assert body == b"method not allowed\n"
    for path in ("/status", "/admin/../", "/favicon.ico"):
        meta, body = unframe(plugin.call("nd_http_handle_request", frame("GET", path, user=ADMIN)))
        assert meta["status"] == 404 and body == b"not found\n"
