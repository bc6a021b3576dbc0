"""`tonearm plugin call --http-fixtures DIR`: a lyrics plugin run offline in Tonearm's host, its
`http_send` answered from canned responses in a folder."""

import json
import subprocess

from conftest import ROOT, TRACK, ensure_built
from test_runtime_conformance import tonearm  # noqa: F401  (the session fixture)

SYNCED = "[00:17.12] I feel your breath upon my neck\n[00:20.41] A soft caress as cold as death\n"


def call(tonearm, tmp_path, ndp, export, data, fixtures, *extra):
    (tmp_path / "tonearm.toml").write_text('DataFolder = "data"\n[Plugins]\nFolder = "plugins"\n')
    folder = tmp_path / "fixtures"
    folder.mkdir(exist_ok=True)
    for name, fixture in fixtures.items():
        (folder / name).write_text(fixture if isinstance(fixture, str) else json.dumps(fixture))
    args = [str(tonearm), "plugin", "call", str(ndp), export, json.dumps(data), "--http-fixtures", "fixtures", *extra]
    return subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_lyrics_plugin_answers_from_fixtures(tonearm, tmp_path):  # noqa: F811
    ndp = ensure_built(ROOT / "Plugins" / "lyrics-lrclib")
    fixtures = {
        "lrclib.json": {"url": "https://lrclib.net/api/get?*", "headers": {"Content-Type": "application/json"},
                        "body": {"id": 1, "instrumental": False, "plainLyrics": "x", "syncedLyrics": SYNCED}},
    }
    done = call(tonearm, tmp_path, ndp, "nd_lyrics_get_lyrics", {"track": TRACK}, fixtures, "--json")
    report = json.loads(done.stdout)
    assert report["ok"], report
    assert json.loads(report["output"]) == {"lyrics": [{"text": SYNCED}]}
    sent = [json.loads(c["request"])["request"] for c in report["hostCalls"] if c["function"] == "http_send"]
    assert len(sent) == 1 and sent[0]["url"].startswith("https://lrclib.net/api/get?")
    # Text mode prints the structured result indented.
    text = call(tonearm, tmp_path, ndp, "nd_lyrics_get_lyrics", {"track": TRACK}, fixtures)
    assert text.returncode == 0, text.stderr
    assert json.loads(text.stdout) == {"lyrics": [{"text": SYNCED}]}
    assert text.stdout.startswith("{\n")


def test_unmatched_request_and_bad_fixture_are_named(tonearm, tmp_path):  # noqa: F811
    ndp = ensure_built(ROOT / "Plugins" / "lyrics-lrclib")
    other = {"other.json": {"url": "https://example.com/", "body": "hello"}}
    done = call(tonearm, tmp_path, ndp, "nd_lyrics_get_lyrics", {"track": TRACK}, other, "--json")
    report = json.loads(done.stdout)
    assert not report["ok"]
    responses = [json.loads(c["response"]) for c in report["hostCalls"] if c["function"] == "http_send"]
    assert responses[0]["error"].startswith("no fixture in fixtures answers GET https://lrclib.net/api/get?")
    elsewhere = tmp_path / "bad"
    elsewhere.mkdir()
    bad = call(tonearm, elsewhere, ndp, "nd_lyrics_get_lyrics", {"track": TRACK},
               {"broken.json": '{"url": "https://x/", "status": 999}'})
    assert bad.returncode != 0
    assert "--http-fixtures" in bad.stderr and "broken.json" in bad.stderr and "100…599" in bad.stderr
