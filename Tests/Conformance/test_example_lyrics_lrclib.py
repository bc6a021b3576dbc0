"""Plugins/lyrics-lrclib built with scripts/build-plugins and run in the reference Extism
runtime. Its `http_send` calls are performed for real, over HTTP, against a fake LRCLIB on
127.0.0.1 that serves answers in the shape LRCLIB documents (https://lrclib.net/docs,
GET /api/get). No request leaves the loopback interface."""

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler

import extism
import pytest

from conftest import (ROOT, LoopbackServer, MemoryCache, ensure_built, load, loopback_http_send, wasm_from_ndp,
                      wasm_imports_exports)

PLUGIN = ROOT / "Plugins" / "lyrics-lrclib"
CLIENT = "Tonearm lyrics-lrclib/1.0.0 (https://github.com/tonearm/tonearm)"

SYNCED = ("[00:17.12] I feel your breath upon my neck\n"
          "[00:20.41] A soft caress as cold as death\n"
          "[00:24.80] ")
RECORDS = {
    # (artist_name, track_name) -> (status, JSON body)
    ("Borislav Slavov", "I Want to Live"): (200, {
        "id": 3396226, "trackName": "I Want to Live", "artistName": "Borislav Slavov",
        "albumName": "Baldur's Gate 3 (Original Game Soundtrack)", "duration": 233, "instrumental": False,
        "plainLyrics": "I feel your breath upon my neck\nA soft caress as cold as death\n", "syncedLyrics": SYNCED}),
    ("Sigur Rós", "Svefn-g-englar"): (200, {
        "id": 77, "trackName": "Svefn-g-englar", "artistName": "Sigur Rós", "albumName": "Ágætis byrjun",
        "duration": 604, "instrumental": False, "plainLyrics": "Tjú... ég er kominn aftur", "syncedLyrics": None}),
    ("Ólafur Arnalds", "Saman"): (200, {
        "id": 78, "trackName": "Saman", "artistName": "Ólafur Arnalds", "albumName": "re:member",
        "duration": 180, "instrumental": True, "plainLyrics": None, "syncedLyrics": None}),
    ("Broken Server", "Any"): (500, {"code": 500, "name": "InternalError", "message": "database unavailable"}),
}
NOT_FOUND = (404, {"code": 404, "name": "TrackNotFound", "message": "Failed to find specified track"})


class FakeLrclib(BaseHTTPRequestHandler):
    """GET /api/get answered from RECORDS; records every request it receives."""

    seen = []

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        FakeLrclib.seen.append({"path": url.path, "raw_query": url.query,
                                "query": {k: v[0] for k, v in query.items()},
                                "headers": {k.lower(): v for k, v in self.headers.items()}})
        if url.path != "/api/get":
            status, body = NOT_FOUND
        else:
            key = (query.get("artist_name", [""])[0], query.get("track_name", [""])[0])
            status, body = RECORDS.get(key, NOT_FOUND)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def lrclib():
    server = LoopbackServer(FakeLrclib)
    yield server.base
    server.close()


@pytest.fixture(scope="module")
def ndp():
    return ensure_built(PLUGIN)


@pytest.fixture
def run(ndp, host, lrclib):
    """Calls nd_lyrics_get_lyrics for a track against the fake LRCLIB; returns the lyrics list."""
    cache = MemoryCache()
    host.respond["http_send"] = loopback_http_send
    host.respond["cache_getstring"] = cache.get
    host.respond["cache_setstring"] = cache.set
    FakeLrclib.seen.clear()
    plugin = load(ndp, {"baseURL": lrclib + "/"})

    def call(artist, title, album="", duration=0.0):
        track = {"id": "tr-1", "title": title, "artist": artist, "album": album, "albumArtist": artist,
                 "artists": [], "albumArtists": [], "duration": duration, "trackNumber": 1, "discNumber": 1}
        out = plugin.call("nd_lyrics_get_lyrics", json.dumps({"track": track}))
        return json.loads(out)["lyrics"]

    call.cache = cache
    call.plugin = plugin
    return call


def test_package_exports_imports_and_size(ndp):
    wasm, manifest = wasm_from_ndp(ndp)
    imports, exports = wasm_imports_exports(wasm)
    assert [e for e in exports if e.startswith("nd_")] == ["nd_lyrics_get_lyrics"]
    host_imports = sorted(name for module, name in imports if module == "extism:host/user")
    assert host_imports == ["cache_getstring", "cache_setstring", "http_send"]
    assert len(wasm) <= 200 * 1024, len(wasm)
    assert manifest["author"] == "Tonearm"
    assert manifest["permissions"]["http"]["requiredHosts"] == ["lrclib.net"]
    assert set(manifest["permissions"]) == {"http", "cache"}
    assert manifest["config"]["schema"]["properties"]["baseURL"]["default"] == "https://lrclib.net"


def test_synced_lyrics_for_the_full_signature(run):
    lyrics = run("Borislav Slavov", "I Want to Live", "Baldur's Gate 3 (Original Game Soundtrack)", 233.4)
    assert lyrics == [{"text": SYNCED}]
    [seen] = FakeLrclib.seen
    assert seen["path"] == "/api/get"
    assert seen["query"] == {"artist_name": "Borislav Slavov", "track_name": "I Want to Live",
                             "album_name": "Baldur's Gate 3 (Original Game Soundtrack)", "duration": "233"}
    # Percent-encoded on the wire, spaces as %20, reserved characters escaped.
    assert seen["raw_query"] == ("artist_name=Borislav%20Slavov&track_name=I%20Want%20to%20Live"
                                 "&album_name=Baldur%27s%20Gate%203%20%28Original%20Game%20Soundtrack%29&duration=233")
    assert seen["headers"]["user-agent"] == CLIENT
    assert seen["headers"]["lrclib-client"] == CLIENT


def test_plain_lyrics_when_there_are_no_synced_ones_with_non_ascii_names(run):
    assert run("Sigur Rós", "Svefn-g-englar", "Ágætis byrjun", 604) == [{"text": "Tjú... ég er kominn aftur"}]
    [seen] = FakeLrclib.seen
    assert seen["raw_query"].startswith("artist_name=Sigur%20R%C3%B3s&track_name=Svefn-g-englar&album_name=%C3%81g%C3%A6tis%20byrjun")


def test_instrumental_has_no_lyrics(run):
    assert run("Ólafur Arnalds", "Saman", "re:member", 180) == []


def test_unknown_track_is_an_empty_list_and_is_remembered(run):
    assert run("Nobody", "Nothing") == []
    assert run("Nobody", "Nothing") == []
    assert len(FakeLrclib.seen) == 1  # the second call was answered from the cache
    assert FakeLrclib.seen[0]["query"] == {"artist_name": "Nobody", "track_name": "Nothing"}
    assert list(run.cache.values.values()) == ["-"]
    assert list(run.cache.ttls.values()) == [3600]


def test_found_lyrics_are_cached(run):
    run("Borislav Slavov", "I Want to Live", "Baldur's Gate 3 (Original Game Soundtrack)", 233)
    assert run("Borislav Slavov", "I Want to Live", "Baldur's Gate 3 (Original Game Soundtrack)", 233) == [{"text": SYNCED}]
    assert len(FakeLrclib.seen) == 1
    assert list(run.cache.values.values()) == ["+" + SYNCED]


def test_server_error_is_a_clear_error(run, lrclib):
    with pytest.raises(extism.Error, match=r"LRCLIB answered HTTP 500 for GET http://127\.0\.0\.1:\d+/api/get\?artist_name=Broken%20Server"):
        run("Broken Server", "Any")
    assert run.cache.values == {}


def test_unreachable_server_is_a_clear_error(ndp, host):
    # A loopback port nobody listens on: bind one, then close it.
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    host.respond["http_send"] = loopback_http_send
    plugin = load(ndp, {"baseURL": f"http://127.0.0.1:{port}", "cacheSeconds": "0"})
    track = {"title": "Song", "artist": "Artist", "duration": 100}
    with pytest.raises(extism.Error, match="LRCLIB request failed: http_send: "):
        plugin.call("nd_lyrics_get_lyrics", json.dumps({"track": track}))
    assert host.requests("cache_getstring") == []
