"""Tonearm's runtime against the reference Extism runtime: the same plugin calls give the same
output, the same error text and the same host-call JSON in `tonearm plugin call --json` and in
PyPI `extism` (wasmtime + the real kernel)."""

import json
import os
import subprocess
from pathlib import Path

import extism
import pytest

from conftest import ROOT, TRACK, load
from test_pdk_host_services import CASES


@pytest.fixture(scope="session")
def tonearm():
    binary = ROOT / ".build" / "debug" / "tonearm"
    if not binary.exists():
        subprocess.run(["swift", "build", "--product", "tonearm"], cwd=ROOT, check=True)
    return binary


def tonearm_call(tonearm, tmp_path, ndp, export, data, responses=None, settings=None):
    """Runs `tonearm plugin call --json` in a scratch folder; returns its JSON report."""
    toml = ['DataFolder = "data"', "[Plugins]", 'Folder = "plugins"']
    if settings:
        toml.append(f"[PluginSettings.{Path(ndp).stem}]")
        toml += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    (tmp_path / "tonearm.toml").write_text("\n".join(toml) + "\n")
    # Host services answer with canned responses (unlisted functions answer {}).
    (tmp_path / "responses.json").write_text(json.dumps(responses or {}))
    args = [str(tonearm), "plugin", "call", str(ndp), export, data, "--json", "--host-responses", "responses.json"]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


def reference_call(ndp, export, data, config=None):
    """(output, error text) from the reference runtime."""
    plugin = load(ndp, config)
    try:
        return bytes(plugin.call(export, data)).decode(), None
    except extism.Error as error:
        return None, str(error)


@pytest.mark.parametrize("call,args,response,request_json,result", CASES, ids=[c[0] for c in CASES])
def test_host_calls_match_reference(tonearm, tmp_path, conformance_ndp, host, call, args, response, request_json, result):
    data = json.dumps(dict(args, call=call))
    host.respond[call] = response
    expected, error = reference_call(conformance_ndp, "pdk_test_host", data)
    assert error is None
    report = tonearm_call(tonearm, tmp_path, conformance_ndp, "pdk_test_host", data, responses={call: response})
    assert report["ok"], report
    assert report["output"] == expected
    tonearm_requests = [(c["function"], json.loads(c["request"])) for c in report["hostCalls"]]
    assert tonearm_requests == host.calls


@pytest.mark.parametrize("size", [0, 1, 8, 9, 4095, 70_000])
def test_echo_matches_reference(tonearm, tmp_path, conformance_ndp, host, size):
    data = json.dumps("x" * size)
    expected, _ = reference_call(conformance_ndp, "pdk_test_echo", data)
    report = tonearm_call(tonearm, tmp_path, conformance_ndp, "pdk_test_echo", data)
    assert report["output"] == expected == data


def test_config_and_vars_match_reference(tonearm, tmp_path, conformance_ndp, host):
    data = json.dumps({"config": "greeting", "var": "counter", "value": "1", "message": "m"})
    expected, _ = reference_call(conformance_ndp, "pdk_test_kernel", data, {"greeting": "héllo"})
    report = tonearm_call(tonearm, tmp_path, conformance_ndp, "pdk_test_kernel", data, settings={"greeting": "héllo"})
    ours, theirs = json.loads(report["output"]), json.loads(expected)
    # The log level is host configuration: the reference logs nothing unless told to, Tonearm logs info.
    assert ours.pop("logLevel") == 2 and theirs.pop("logLevel") is not None
    ours.pop("debugEnabled", None), theirs.pop("debugEnabled", None)
    assert ours == theirs


def test_plugin_error_text_matches_reference(tonearm, tmp_path, conformance_ndp, host):
    data = json.dumps({"call": "cache_getstring", "key": "k"})
    host.respond["cache_getstring"] = {"error": "cache is down"}
    _, error = reference_call(conformance_ndp, "pdk_test_host", data)
    report = tonearm_call(tonearm, tmp_path, conformance_ndp, "pdk_test_host", data,
                          responses={"cache_getstring": {"error": "cache is down"}})
    assert not report["ok"]
    assert error and "cache is down" in error
    # Tonearm prefixes plugin id and export; the plugin's own text follows unchanged.
    assert report["error"].endswith(error.split("\n")[0].removeprefix("Error: "))


@pytest.mark.parametrize("export,payload", [
    ("nd_scrobbler_is_authorized", {"username": "alice"}),
    ("nd_scrobbler_now_playing", {"username": "alice", "track": TRACK, "position": 12}),
    ("nd_scrobbler_scrobble", {"username": "alice", "track": TRACK, "timestamp": 1700000000}),
])
def test_minimal_plugin_matches_reference(tonearm, tmp_path, minimal_ndp, host, export, payload):
    data = json.dumps(payload)
    expected, error = reference_call(minimal_ndp, export, data)
    report = tonearm_call(tonearm, tmp_path, minimal_ndp, export, data)
    assert error is None and report["ok"], report
    assert report["output"] == expected
