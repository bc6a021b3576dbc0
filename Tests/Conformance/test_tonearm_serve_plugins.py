"""`tonearm serve` running an HTTPEndpoint + Scrobbler plugin and a TaskWorker plugin, built by the PDK.

One real `tonearm serve` process on 127.0.0.1 runs Plugins/webhook-relay and the PDK conformance
plugin. A ListenBrainz `single` listen reaches webhook-relay's Scrobbler export, which POSTs it
to a webhook receiver on loopback; its status page is then read through `/ext/webhook-relay/`
with each of Navidrome's Subsonic credential forms, and refused without them (401), to a user
not assigned to the plugin (403) and for an unknown plugin (404). The conformance plugin's
`nd_on_init` creates a task queue and enqueues a task whose first attempt fails: the task is
retried and completes in `<DataFolder>/plugins/pdk-conformance/taskqueue.db`. Its endpoint
echoes a raw body reversed through the binary frame. No secret reaches the log.
"""

import hashlib
import json
import queue
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest

from conftest import ROOT, LoopbackServer, ensure_built
from test_runtime_conformance import tonearm  # noqa: F401  (the session fixture)

TIMEOUT_S = 30
PASSWORD = "sesame-0f1e2d"
TOKEN = "lb-token-alice-5a6b7c"


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every POST and answers 204."""

    def __init__(self):
        self.requests = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.put(json.loads(body))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.loopback = LoopbackServer(Handler)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tonearm, tmp_path_factory, conformance_ndp):  # noqa: F811
    relay = ensure_built(ROOT / "Plugins" / "webhook-relay")
    folder = tmp_path_factory.mktemp("serve")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "webhook-relay.ndp").write_bytes(relay.read_bytes())
    (folder / "plugins" / "pdk-conformance.ndp").write_bytes(conformance_ndp.read_bytes())
    receiver = Receiver()
    port = free_port()
    endpoint_answer = json.dumps({"status": 201, "headers": {
        "X-Echo": ["yes"], "Content-Security-Policy": ["script-src *"]}})
    (folder / "tonearm.toml").write_text(f"""
DataFolder = "data"
LogLevel = "debug"

[Server]
Address = "127.0.0.1"
Port = {port}

[[Users]]
Name = "alice"
Password = "{PASSWORD}"
ListenBrainzToken = "{TOKEN}"

[[Users]]
Name = "bob"
Password = "bob-pass-9z8y"

[Plugins]
Folder = "plugins"
EndpointRequestLimit = 1000

[Plugins.webhook-relay]
Users = ["alice"]
ExtraHosts = ["127.0.0.1"]

[Plugins.pdk-conformance]
Users = ["alice"]

[PluginSettings.webhook-relay]
url = "{receiver.loopback.base}/hook"

[PluginSettings.pdk-conformance]
task_on_init = "fail-first"
"response:nd_task_execute" = "ran"
"response:nd_http_handle_request" = {json.dumps(endpoint_answer)}
""")
    log = open(folder / "serve.log", "wb")
    process = subprocess.Popen([str(tonearm), "serve", "--config", "tonearm.toml"], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                break
        except OSError:
            assert process.poll() is None, (folder / "serve.log").read_text()
            assert time.monotonic() < deadline, "tonearm serve did not answer /healthz"
            time.sleep(0.2)
    yield {"base": base, "folder": folder, "receiver": receiver}
    process.terminate()
    try:
        process.wait(timeout=TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT_S)
        log.close()
        receiver.loopback.close()


def request(base, path, method="GET", body=None, headers=None):
    """Returns (status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def scrobble(base):
    listen = {"listen_type": "single", "payload": [{
        "listened_at": int(time.time()),
        "track_metadata": {"artist_name": "Massive Attack", "track_name": "Teardrop",
                           "release_name": "Mezzanine", "additional_info": {"duration_ms": 330000}}}]}
    status, _, body = request(base, "/1/submit-listens", "POST", json.dumps(listen).encode(),
                              {"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
    assert status == 200, body


def test_scrobbles_reach_the_webhook_and_the_status_page_checks_credentials(served):
    base = served["base"]
    scrobble(base)
    event = served["receiver"].requests.get(timeout=TIMEOUT_S)
    assert event["event"] == "scrobble" and event["username"] == "alice"
    assert event["track"]["title"] == "Teardrop"

    salt = "a1b2c3"
    token = hashlib.md5((PASSWORD + salt).encode()).hexdigest()
    for credentials in (f"u=alice&p={PASSWORD}", f"u=alice&p=enc:{PASSWORD.encode().hex()}",
                        f"u=alice&t={token}&s={salt}"):
        for prefix in ("/ext", "/rest/ext"):
            status, headers, body = request(base, f"{prefix}/webhook-relay/?{credentials}&format=json")
            assert status == 200, body
            page = json.loads(body)
            assert (page["delivered"], page["failed"]) == (1, 0)
            assert [row["username"] for row in page["users"]] == ["alice"]
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    status, headers, body = request(base, f"/ext/webhook-relay?u=alice&p={PASSWORD}")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8" and b"alice" in body

    # The plugin's own answers pass through; Tonearm's refusals come before the plugin.
    assert request(base, f"/ext/webhook-relay/?u=alice&p={PASSWORD}", "POST", b"x")[0] == 405
    assert request(base, f"/ext/webhook-relay/other?u=alice&p={PASSWORD}")[0] == 404
    assert request(base, "/ext/webhook-relay/")[0] == 401
    assert request(base, "/ext/webhook-relay/?u=alice&p=wrong")[0] == 401
    assert request(base, "/ext/webhook-relay/?u=bob&p=bob-pass-9z8y")[0] == 403
    assert request(base, "/ext/no-such-plugin/")[0] == 404
    big = b"x" * ((1 << 20) + 1)
    assert request(base, f"/ext/webhook-relay/?u=alice&p={PASSWORD}", "POST", big)[0] == 413


def test_raw_bodies_cross_the_binary_frame(served):
    status, headers, body = request(served["base"], f"/ext/pdk-conformance/echo?u=alice&p={PASSWORD}", "POST",
                                    bytes([0, 1, 2]) + b"abc", {"Content-Type": "application/octet-stream"})
    assert status == 201
    assert body == b"cba" + bytes([2, 1, 0])
    assert headers["X-Echo"] == "yes"
    # The plugin cannot loosen the security headers.
    assert headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def test_a_task_enqueued_at_init_is_retried_and_completes(served):
    database = served["folder"] / "data" / "plugins" / "pdk-conformance" / "taskqueue.db"
    deadline = time.monotonic() + TIMEOUT_S
    row = None
    while time.monotonic() < deadline:
        if database.exists():
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                row = db.execute("SELECT queue_name, payload, status, attempt, message FROM tasks").fetchone()
            if row and row[2] == "completed":
                break
        time.sleep(0.2)
    assert row is not None, "no task in taskqueue.db"
    queue_name, payload, status, attempt, message = row
    assert (queue_name, bytes(payload), status, attempt, message) == ("init", b"fail-first", "completed", 2, "ran")


def test_no_secret_reaches_the_log(served):
    scrobble(served["base"])
    served["receiver"].requests.get(timeout=TIMEOUT_S)
    request(served["base"], "/ext/webhook-relay/?u=alice&p=wrong-guess-77")
    log = (served["folder"] / "serve.log").read_text()
    assert "plugin endpoint auth failed" in log
    for secret in (PASSWORD, TOKEN, "bob-pass-9z8y", "wrong-guess-77"):
        assert secret not in log
