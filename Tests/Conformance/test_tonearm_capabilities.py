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
