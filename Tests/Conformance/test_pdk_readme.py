"""The plugins PDK/README.md walks through, pasted from the README as they are, built with
scripts/build-plugins and run in the reference Extism runtime."""

import base64
import json
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT, load, wasm_from_ndp, wasm_imports_exports

BLOCK = re.compile(r"<!-- readme-plugin: ([\w-]+) -->\s*```(json|swift)\n(.*?)```", re.S)


def readme_plugins():
    plugins = {}
    for name, kind, text in BLOCK.findall((ROOT / "PDK" / "README.md").read_text()):
        lines = text.splitlines()
        indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
        plugins.setdefault(name, {})[kind] = "\n".join(l[indent:] for l in lines) + "\n"
    return plugins


@pytest.fixture
def build_readme_plugin(tmp_path):
    built = []

    def build(name):
        source = readme_plugins()[name]
        folder = tmp_path / name
        folder.mkdir()
        (folder / "manifest.json").write_text(source["json"])
        (folder / "Plugin.swift").write_text(source["swift"])
        subprocess.run([str(ROOT / "scripts" / "build-plugins"), str(folder)], check=True, cwd=ROOT,
                       capture_output=True, timeout=600)
        built.append(name)
        return BUILD / f"{name}.ndp"

    yield build
    for name in built:
        shutil.rmtree(BUILD / name, ignore_errors=True)
        (BUILD / f"{name}.ndp").unlink(missing_ok=True)


def test_readme_has_both_walkthroughs():
    plugins = readme_plugins()
    assert set(plugins) == {"hello", "wikipedia-agent"}
    assert all(set(p) == {"json", "swift"} for p in plugins.values())
    # The bound for a complete Scrobbler plugin.
    assert len(plugins["hello"]["swift"].strip().splitlines()) <= 15


def test_hello_scrobbler(build_readme_plugin, host):
    ndp = build_readme_plugin("hello")
    _, exports = wasm_imports_exports(wasm_from_ndp(ndp)[0])
    assert sorted(e for e in exports if e.startswith("nd_")) == [
        "nd_scrobbler_is_authorized", "nd_scrobbler_now_playing", "nd_scrobbler_scrobble"]
    plugin = load(ndp)
    assert plugin.call("nd_scrobbler_is_authorized", json.dumps({"username": "alice"})) == b"true"
    track = {"id": "1", "title": "Song", "artist": "Artist", "album": "Album", "albumArtist": "Artist",
             "artists": [], "albumArtists": [], "duration": 215.5, "trackNumber": 1, "discNumber": 1}
    assert plugin.call("nd_scrobbler_now_playing", json.dumps({"username": "alice", "track": track, "position": 42})) == b""
    assert host.requests("cache_setstring") == [{"key": "last:alice", "value": "Song", "ttlSeconds": 3600}]


def test_wikipedia_agent(build_readme_plugin, host):
    ndp = build_readme_plugin("wikipedia-agent")
    _, exports = wasm_imports_exports(wasm_from_ndp(ndp)[0])
    assert sorted(e for e in exports if e.startswith("nd_")) == ["nd_get_artist_biography", "nd_get_artist_url"]
    plugin = load(ndp)
    assert json.loads(plugin.call("nd_get_artist_url", json.dumps({"id": "ar-1", "name": "X", "mbid": "abc"}))) == {
        "url": "https://musicbrainz.org/artist/abc"}
    assert plugin.call("nd_get_artist_url", json.dumps({"id": "ar-1", "name": "X"})) == b""
    summary = {"title": "Massive Attack", "extract": "Massive Attack are an English trip hop collective from Bristol."}
    host.respond["http_send"] = {"result": {"statusCode": 200, "body": base64.b64encode(json.dumps(summary).encode()).decode()}}
    out = plugin.call("nd_get_artist_biography", json.dumps({"id": "ar-1", "name": "Massive Attack/Ü"}))
    assert json.loads(out) == {"biography": summary["extract"]}
    assert host.requests("http_send") == [{"request": {
        "method": "GET", "url": "https://en.wikipedia.org/api/rest_v1/page/summary/Massive%20Attack%2F%C3%9C",
        "timeoutMs": 5000}}]
    host.respond["http_send"] = {"result": {"statusCode": 404}}
    assert plugin.call("nd_get_artist_biography", json.dumps({"id": "ar-2", "name": "Nobody"})) == b""
