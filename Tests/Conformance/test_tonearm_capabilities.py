"""`tonearm plugin validate` names every capability of Navidrome's plugin API a plugin exports."""

import json
import subprocess

from conftest import ROOT, ensure_built
from test_runtime_conformance import tonearm  # noqa: F401  (the session fixture)


def run(tonearm, tmp_path, *args):
    (tmp_path / "tonearm.toml").write_text('DataFolder = "data"\n[Plugins]\nFolder = "plugins"\n')
    return subprocess.run([str(tonearm), "plugin", *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_validate_names_every_capability(tonearm, tmp_path, conformance_ndp):  # noqa: F811
    done = run(tonearm, tmp_path, "validate", str(conformance_ndp), "--json")
    report = json.loads(done.stdout)
    assert set(report["capabilities"]) == {
        "Lifecycle", "Scrobbler", "MetadataAgent", "Lyrics", "SonicSimilarity", "Scheduler", "WebSocket",
        "TaskWorker", "HTTPEndpoint", "PlaylistProvider", "Action"}
    relay = run(tonearm, tmp_path, "validate", str(ensure_built(ROOT / "Plugins" / "webhook-relay")), "--json")
    assert json.loads(relay.stdout)["capabilities"] == ["Scrobbler", "HTTPEndpoint"]


def test_call_frames_http_endpoint_requests(tonearm, tmp_path):  # noqa: F811
    """`plugin call … nd_http_handle_request` frames the JSON request (body base64, as Go writes
    bytes) and shows the framed answer as JSON with the body as text."""
    relay = str(ensure_built(ROOT / "Plugins" / "webhook-relay"))

    def call(data, *flags):
        (tmp_path / "tonearm.toml").write_text('DataFolder = "data"\n[Plugins]\nFolder = "plugins"\n'
                                               '[PluginSettings.webhook-relay]\nurl = "http://127.0.0.1:9/hook"\n')
        return subprocess.run([str(tonearm), "plugin", "call", relay, "nd_http_handle_request", data, *flags],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)

    request = {"method": "GET", "path": "", "query": "format=json",
               "user": {"id": "alice", "username": "alice", "name": "Alice", "isAdmin": False}}
    report = json.loads(call(json.dumps(request), "--json").stdout)
    assert report["ok"], report
    answer = json.loads(report["output"])
    assert answer["status"] == 200
    assert answer["headers"]["Content-Type"] == ["application/json"]
    assert json.loads(answer["body"])["delivered"] == 0

    post = {"method": "POST", "path": "", "body": "aGVsbG8="}
    answer = json.loads(json.loads(call(json.dumps(post), "--json").stdout)["output"])
    assert (answer["status"], answer["headers"]["Allow"]) == (405, ["GET, HEAD"])

    bad = call('{"method": 5}')
    assert bad.returncode != 0
    assert 'the input is not an HTTP request for nd_http_handle_request: field "method" must be a string' in bad.stderr


def test_info_shows_the_endpoints_permission(tonearm, tmp_path):  # noqa: F811
    relay = ensure_built(ROOT / "Plugins" / "webhook-relay")
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "webhook-relay.ndp").write_bytes(relay.read_bytes())
    info = json.loads(run(tonearm, tmp_path, "info", "webhook-relay", "--json").stdout)
    assert (info["endpointsAuth"], info["endpointPaths"]) == ("subsonic", ["/"])
    assert "endpoints" in info["status"]["permissions"]
    text = run(tonearm, tmp_path, "info", "webhook-relay").stdout
    assert "endpoints:    /ext/webhook-relay/ (auth subsonic; paths /)" in text
