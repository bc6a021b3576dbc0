"""Plugins/metadata-musicbrainz built with scripts/build-plugins and run in the reference Extism
runtime. Its `http_send` calls are performed for real, over HTTP, against one fake server on
127.0.0.1 standing in for MusicBrainz (/mb, https://musicbrainz.org/doc/MusicBrainz_API), the
Cover Art Archive (/caa, redirecting listings to /archive as coverartarchive.org redirects to
archive.org), Wikidata (/wd, wbgetentities) and Wikipedia (/wp, REST page summary), serving
answers in their documented shapes. No request leaves the loopback interface."""

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler

import extism
import pytest

from conftest import (ROOT, LoopbackServer, MemoryCache, ensure_built, load, loopback_http_send, wasm_from_ndp,
                      wasm_imports_exports)

PLUGIN = ROOT / "Plugins" / "metadata-musicbrainz"
USER_AGENT = "Tonearm-metadata-musicbrainz/1.0.0 ( https://github.com/tonearm/tonearm )"

ARTIST = "10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8"
RATE_LIMITED_ARTIST = "ffffffff-0000-0000-0000-000000000503"
RELEASE = "6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11"
GROUP = "0b3a9c8e-1d2f-3e4a-8b5c-6d7e8f9a0b1c"
BARE_RELEASE = "eeeeeeee-0000-0000-0000-000000000001"  # no cover of its own, no wiki links
BARE_GROUP = "eeeeeeee-0000-0000-0000-0000000000b1"


def url_rel(kind, resource, ended=False):
    return {"type": kind, "type-id": "00000000-0000-0000-0000-000000000000", "target-type": "url",
            "direction": "forward", "begin": None, "end": None, "ended": ended, "attributes": [],
            "url": {"id": "11111111-0000-0000-0000-000000000000", "resource": resource}}


DOCS = {
    f"/mb/ws/2/artist/{ARTIST}": {
        "id": ARTIST, "name": "Massive Attack", "sort-name": "Massive Attack", "type": "Group", "country": "GB",
        "disambiguation": "", "life-span": {"begin": "1988", "end": None, "ended": False},
        "relations": [url_rel("official homepage", "http://www.massiveattack.com/", ended=True),
                      url_rel("discogs", "https://www.discogs.com/artist/3906"),
                      url_rel("official homepage", "https://www.massiveattack.co.uk/"),
                      url_rel("wikidata", "https://www.wikidata.org/wiki/Q183145")]},
    f"/mb/ws/2/release/{RELEASE}": {
        "id": RELEASE, "title": "Mezzanine", "status": "Official", "date": "1998-04-20", "country": "GB",
        "release-group": {"id": GROUP, "title": "Mezzanine", "primary-type": "Album", "secondary-types": []}},
    f"/mb/ws/2/release/{BARE_RELEASE}": {
        "id": BARE_RELEASE, "title": "Protection (Japan)", "status": "Official",
        "release-group": {"id": BARE_GROUP, "title": "Protection", "primary-type": "Album"}},
    f"/mb/ws/2/release-group/{GROUP}": {
        "id": GROUP, "title": "Mezzanine", "primary-type": "Album",
        "relations": [url_rel("wikidata", "https://www.wikidata.org/wiki/Q1141862")]},
    f"/mb/ws/2/release-group/{BARE_GROUP}": {"id": BARE_GROUP, "title": "Protection", "relations": []},
    "/wp/api/rest_v1/page/summary/Massive_Attack": {
        "type": "standard", "title": "Massive Attack", "displaytitle": "Massive Attack", "wikibase_item": "Q183145",
        "thumbnail": {"source": "https://upload.wikimedia.org/wikipedia/commons/thumb/a/ab/MA.jpg/320px-MA.jpg",
                      "width": 320, "height": 213},
        "originalimage": {"source": "https://upload.wikimedia.org/wikipedia/commons/a/ab/MA.jpg",
                          "width": 2048, "height": 1365},
        "lang": "en", "dir": "ltr", "description": "English trip hop collective",
        "extract": "Massive Attack are an English trip hop collective formed in 1988 in Bristol."},
    "/wp/api/rest_v1/page/summary/Mezzanine_(album)": {
        "type": "standard", "title": "Mezzanine (album)",
        "extract": "Mezzanine is the third studio album by English trip hop group Massive Attack."},
    f"/archive/download/mbid-{RELEASE}/index.json": {
        "images": [{"approved": True, "front": True, "back": False, "edit": 1, "id": 2, "comment": "", "types": ["Front"],
                    "image": f"http://coverartarchive.org/release/{RELEASE}/2.jpg",
                    "thumbnails": {"250": f"http://coverartarchive.org/release/{RELEASE}/2-250.jpg",
                                   "500": f"http://coverartarchive.org/release/{RELEASE}/2-500.jpg",
                                   "1200": f"http://coverartarchive.org/release/{RELEASE}/2-1200.jpg",
                                   "small": f"http://coverartarchive.org/release/{RELEASE}/2-250.jpg",
                                   "large": f"http://coverartarchive.org/release/{RELEASE}/2-500.jpg"}}],
        "release": f"https://musicbrainz.org/release/{RELEASE}"},
    f"/caa/release-group/{BARE_GROUP}": {
        "images": [{"front": True, "image": "https://coverartarchive.org/release/x/7.jpg",
                    "thumbnails": {"small": "https://coverartarchive.org/release/x/7-250.jpg",
                                   "large": "https://coverartarchive.org/release/x/7-500.jpg"}}],
        "release": "https://musicbrainz.org/release/x"},
}
SITELINKS = {"Q183145": "Massive Attack", "Q1141862": "Mezzanine (album)"}
ARTIST_SEARCH = {"created": "2026-08-21T10:00:00.000Z", "count": 2, "offset": 0, "artists": [
    {"id": "aaaaaaaa-0000-0000-0000-000000000001", "type": "Group", "score": 100, "name": "Massive Attack Tribute",
     "sort-name": "Massive Attack Tribute"},
    {"id": ARTIST, "type": "Group", "score": 98, "name": "Massive Attack", "sort-name": "Massive Attack"}]}
RELEASE_SEARCH = {"created": "2026-08-21T10:00:00.000Z", "count": 1, "offset": 0, "releases": [
    {"id": RELEASE, "score": 100, "title": "Mezzanine", "release-group": {"id": GROUP, "primary-type": "Album"}}]}
NOT_FOUND = {"error": "Not Found", "help": "For usage, please see: https://musicbrainz.org/development/mmd"}


class FakeServices(BaseHTTPRequestHandler):
    """The four services under path prefixes; records every request it receives."""

    seen = []

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        FakeServices.seen.append({"path": path, "raw": self.path, "query": query,
                                  "user_agent": self.headers.get("User-Agent", "")})
        if "Tonearm-metadata-musicbrainz" not in self.headers.get("User-Agent", ""):
            return self.reply(403, {"error": "anonymous clients are blocked"})
        if path.startswith("/mb/"):
            return self.musicbrainz(path, query)
        if path.startswith("/caa/release/"):
            mbid = path.rsplit("/", 1)[1]
            if f"/archive/download/mbid-{mbid}/index.json" in DOCS:
                return self.reply(307, None, location=f"/archive/download/mbid-{mbid}/index.json")
            return self.reply(404, None)
        if path == "/wd/w/api.php":
            ids = query.get("ids", "")
            assert query.get("action") == "wbgetentities" and query.get("props") == "sitelinks"
            site = query.get("sitefilter", "")
            links = {site: {"site": site, "title": SITELINKS[ids], "badges": []}} if ids in SITELINKS and site == "enwiki" else {}
            return self.reply(200, {"entities": {ids: {"type": "item", "id": ids, "sitelinks": links}}, "success": 1})
        if path in DOCS:
            return self.reply(200, DOCS[path])
        return self.reply(404, {"type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found"} if path.startswith("/wp/") else None)

    def musicbrainz(self, path, query):
        if query.get("fmt") != "json":
            return self.reply(400, {"error": "fmt=json expected by this fake"})
        if path.endswith("/" + RATE_LIMITED_ARTIST):
            return self.reply(503, {"error": "Your requests are exceeding the allowable rate limit."}, retry_after="1")
        if path == "/mb/ws/2/artist":
            found = query.get("query") == 'artist:"Massive Attack"'
            return self.reply(200, ARTIST_SEARCH if found else {"count": 0, "offset": 0, "artists": []})
        if path == "/mb/ws/2/release":
            found = query.get("query") == 'release:"Mezzanine" AND artist:"Massive Attack"'
            return self.reply(200, RELEASE_SEARCH if found else {"count": 0, "offset": 0, "releases": []})
        expected_inc = "release-groups" if path.startswith("/mb/ws/2/release/") else "url-rels"
        if query.get("inc") != expected_inc:
            return self.reply(400, {"error": f"expected inc={expected_inc}"})
        return self.reply(200, DOCS[path]) if path in DOCS else self.reply(404, NOT_FOUND)

    def reply(self, status, body, location=None, retry_after=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def services():
    server = LoopbackServer(FakeServices)
    yield server.base
    server.close()


@pytest.fixture(scope="module")
def ndp():
    return ensure_built(PLUGIN)


@pytest.fixture
def agent(ndp, host, services):
    """The plugin configured against the fake services, with a working in-memory cache."""
    cache = MemoryCache()
    host.respond["http_send"] = loopback_http_send
    host.respond["cache_getbytes"] = cache.get
    host.respond["cache_setbytes"] = cache.set
    FakeServices.seen.clear()
    plugin = load(ndp, {"musicbrainzURL": services + "/mb/", "coverArtURL": services + "/caa",
                        "wikipediaURL": services + "/wp", "wikidataURL": services + "/wd"})

    def call(export, payload):
        out = plugin.call(export, json.dumps(payload))
        return json.loads(out) if out else None

    call.cache = cache
    call.base = services
    return call


def paths():
    return [seen["path"] for seen in FakeServices.seen]


MASSIVE_ATTACK = {"id": "ar-1", "name": "Massive Attack", "mbid": ARTIST}
MEZZANINE = {"name": "Mezzanine", "artist": "Massive Attack", "mbid": RELEASE}


def test_package_exports_imports_and_size(ndp):
    wasm, manifest = wasm_from_ndp(ndp)
    imports, exports = wasm_imports_exports(wasm)
    assert sorted(e for e in exports if e.startswith("nd_")) == [
        "nd_get_album_images", "nd_get_album_info", "nd_get_artist_biography", "nd_get_artist_images",
        "nd_get_artist_mbid", "nd_get_artist_url"]
    assert sorted(name for module, name in imports if module == "extism:host/user") == [
        "cache_getbytes", "cache_setbytes", "http_send"]
    assert len(wasm) <= 200 * 1024, len(wasm)
    assert manifest["author"] == "Tonearm"
    assert set(manifest["permissions"]) == {"http", "cache"}
    assert "musicbrainz.org" in manifest["permissions"]["http"]["requiredHosts"]
    assert manifest["config"]["schema"]["properties"]["musicbrainzURL"]["default"] == "https://musicbrainz.org"


def test_artist_mbid_by_name_search(agent):
    assert agent("nd_get_artist_mbid", {"id": "ar-1", "name": "Massive Attack"}) == {"mbid": ARTIST}
    [seen] = FakeServices.seen
    assert seen["path"] == "/mb/ws/2/artist"
    assert seen["raw"] == "/mb/ws/2/artist?query=artist%3A%22Massive%20Attack%22&limit=5&fmt=json"
    assert seen["user_agent"] == USER_AGENT


def test_artist_mbid_not_found(agent):
    assert agent("nd_get_artist_mbid", {"id": "ar-9", "name": "Nobody at all"}) is None


def test_artist_url_is_the_current_homepage(agent):
    assert agent("nd_get_artist_url", MASSIVE_ATTACK) == {"url": "https://www.massiveattack.co.uk/"}
    assert paths() == [f"/mb/ws/2/artist/{ARTIST}"]


def test_artist_url_without_mbid_searches_first(agent):
    assert agent("nd_get_artist_url", {"id": "ar-1", "name": "Massive Attack"}) == {"url": "https://www.massiveattack.co.uk/"}
    assert paths() == ["/mb/ws/2/artist", f"/mb/ws/2/artist/{ARTIST}"]


def test_biography_and_images_from_wikipedia_with_one_musicbrainz_lookup(agent):
    biography = agent("nd_get_artist_biography", MASSIVE_ATTACK)
    assert biography == {"biography": "Massive Attack are an English trip hop collective formed in 1988 in Bristol."}
    assert paths() == [f"/mb/ws/2/artist/{ARTIST}", "/wd/w/api.php", "/wp/api/rest_v1/page/summary/Massive_Attack"]
    assert FakeServices.seen[1]["query"] == {"action": "wbgetentities", "ids": "Q183145", "props": "sitelinks",
                                             "sitefilter": "enwiki", "format": "json"}
    images = agent("nd_get_artist_images", MASSIVE_ATTACK)
    assert images == {"images": [
        {"url": "https://upload.wikimedia.org/wikipedia/commons/a/ab/MA.jpg", "size": 2048},
        {"url": "https://upload.wikimedia.org/wikipedia/commons/thumb/a/ab/MA.jpg/320px-MA.jpg", "size": 320}]}
    assert len(FakeServices.seen) == 3  # images came from the cache
    assert set(agent.cache.ttls.values()) == {86400}


def test_unknown_artist_is_not_found_everywhere(agent):
    unknown = {"id": "ar-2", "name": "X", "mbid": "00000000-0000-0000-0000-000000000000"}
    for export in ("nd_get_artist_url", "nd_get_artist_biography", "nd_get_artist_images"):
        assert agent(export, unknown) is None


def test_rate_limited_musicbrainz_is_an_error(agent):
    limited = {"id": "ar-3", "name": "Y", "mbid": RATE_LIMITED_ARTIST}
    with pytest.raises(extism.Error, match=r"MusicBrainz answered HTTP 503 for GET http://127\.0\.0\.1:\d+/mb/ws/2/artist/"):
        agent("nd_get_artist_url", limited)
    assert agent.cache.values == {}


def test_album_info_with_wikipedia_description(agent):
    assert agent("nd_get_album_info", MEZZANINE) == {
        "name": "Mezzanine", "mbid": RELEASE,
        "description": "Mezzanine is the third studio album by English trip hop group Massive Attack.",
        "url": f"{agent.base}/mb/release/{RELEASE}"}
    assert paths() == [f"/mb/ws/2/release/{RELEASE}", f"/mb/ws/2/release-group/{GROUP}", "/wd/w/api.php",
                       "/wp/api/rest_v1/page/summary/Mezzanine_(album)"]
    assert FakeServices.seen[3]["raw"] == "/wp/api/rest_v1/page/summary/Mezzanine_%28album%29"


def test_album_info_without_mbid_searches(agent):
    info = agent("nd_get_album_info", {"name": "Mezzanine", "artist": "Massive Attack"})
    assert info["mbid"] == RELEASE
    assert FakeServices.seen[0]["query"]["query"] == 'release:"Mezzanine" AND artist:"Massive Attack"'


def test_album_images_follow_the_cover_art_redirect(agent):
    images = agent("nd_get_album_images", MEZZANINE)
    base = f"https://coverartarchive.org/release/{RELEASE}/2-"
    assert images == {"images": [{"url": base + "1200.jpg", "size": 1200}, {"url": base + "500.jpg", "size": 500},
                                 {"url": base + "250.jpg", "size": 250}]}
    assert paths() == [f"/caa/release/{RELEASE}", f"/archive/download/mbid-{RELEASE}/index.json"]


def test_album_images_fall_back_to_the_release_group(agent):
    images = agent("nd_get_album_images", {"name": "Protection", "artist": "Massive Attack", "mbid": BARE_RELEASE})
    assert images == {"images": [{"url": "https://coverartarchive.org/release/x/7-500.jpg", "size": 500},
                                 {"url": "https://coverartarchive.org/release/x/7-250.jpg", "size": 250}]}
    assert paths() == [f"/caa/release/{BARE_RELEASE}", f"/mb/ws/2/release/{BARE_RELEASE}", f"/caa/release-group/{BARE_GROUP}"]


def test_album_without_description_or_unknown(agent):
    info = agent("nd_get_album_info", {"name": "Protection", "artist": "Massive Attack", "mbid": BARE_RELEASE})
    assert info == {"name": "Protection (Japan)", "mbid": BARE_RELEASE, "description": "",
                    "url": f"{agent.base}/mb/release/{BARE_RELEASE}"}
    assert agent("nd_get_album_info", {"name": "Nothing", "artist": "Nobody"}) is None
    assert agent("nd_get_album_images", {"name": "Nothing", "artist": "Nobody"}) is None
