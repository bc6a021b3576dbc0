"""Shared fixtures for the PDK conformance tests.

Plugins built with the Swift PDK run in the reference Extism runtime (PyPI `extism`), with
host functions under Navidrome's names (module `extism:host/user`) defined here: they record
each JSON request and answer with Navidrome-shaped JSON responses.
"""

import base64
import http.client
import json
import os
import subprocess
import threading
import urllib.parse
import zipfile
from http.server import ThreadingHTTPServer
from pathlib import Path

import extism
import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "plugins"
CONFORMANCE_PLUGIN = Path(__file__).resolve().parent / "Plugins" / "pdk-conformance"

ABI = ROOT / "ABI"

# Every Navidrome host function a Swift PDK client may import (ABI/host/*.json).
HOST_FUNCTIONS = [function["name"]
                  for path in sorted((ABI / "host").glob("*.json"))
                  for function in json.loads(path.read_text())["functions"]]


class HostRecorder:
    """Records host calls and answers them; `respond[name]` is a dict or a callable(request)."""

    def __init__(self):
        self.calls = []
        self.respond = {}

    def reset(self):
        self.calls.clear()
        self.respond.clear()

    def requests(self, name):
        return [req for fn, req in self.calls if fn == name]

    def answer(self, name, request):
        self.calls.append((name, request))
        response = self.respond.get(name, {})
        if callable(response):
            response = response(request)
        return response


RECORDER = HostRecorder()


def _make_host_function(name):
    def handler(current_plugin, params, results, *user_data):
        raw = bytes(current_plugin.memory(current_plugin.memory_at_offset(params[0])))
        try:
            request = json.loads(raw) if raw else None
        except ValueError:
            request = {"__invalid_json__": raw.decode("utf-8", "replace")}
        response = RECORDER.answer(name, request)
        if response is None:
            results[0].value = 0
        else:
            current_plugin.return_string(results[0], json.dumps(response))

    return extism.host_fn(
        name=name,
        namespace="extism:host/user",
        signature=([extism.ValType.I64], [extism.ValType.I64]),
    )(handler)


HOST_FUNCTION_OBJECTS = [_make_host_function(name) for name in HOST_FUNCTIONS]


def _sources(folder):
    yield folder / "manifest.json"
    yield from folder.rglob("*.swift")
    yield from (ROOT / "PDK" / "Sources").rglob("*")
    yield ROOT / "scripts" / "build-plugins"
    yield ROOT / "scripts" / "plugin-exports"
    yield from ABI.rglob("*.json")


def ensure_built(folder):
    """Returns the .ndp for a plugin folder, building it when missing or out of date."""
    ndp = BUILD / f"{folder.name}.ndp"
    newest = max(p.stat().st_mtime for p in _sources(folder) if p.is_file())
    if not ndp.exists() or ndp.stat().st_mtime < newest:
        subprocess.run([str(ROOT / "scripts" / "build-plugins"), str(folder)], check=True, cwd=ROOT)
    return ndp


def _leb(data, i):
    result = shift = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def _name(data, i):
    n, i = _leb(data, i)
    return data[i:i + n].decode(), i + n


def wasm_imports_exports(wasm):
    """(imports as (module, name) pairs, export names) of a wasm module."""
    assert wasm[:8] == b"\0asm\x01\0\0\0", "not a wasm module"
    imports, exports, i = [], [], 8
    while i < len(wasm):
        section, i = wasm[i], i + 1
        size, i = _leb(wasm, i)
        end = i + size
        if section == 2:
            count, j = _leb(wasm, i)
            for _ in range(count):
                module, j = _name(wasm, j)
                name, j = _name(wasm, j)
                kind, j = wasm[j], j + 1
                if kind == 0:
                    _, j = _leb(wasm, j)
                elif kind in (1, 2):
                    j += 1 if kind == 1 else 0
                    flags, j = _leb(wasm, j)
                    _, j = _leb(wasm, j)
                    if flags & 1:
                        _, j = _leb(wasm, j)
                else:
                    j += 2
                imports.append((module, name))
        elif section == 7:
            count, j = _leb(wasm, i)
            for _ in range(count):
                name, j = _name(wasm, j)
                j += 1
                _, j = _leb(wasm, j)
                exports.append(name)
        i = end
    return imports, exports


def wasm_from_ndp(ndp):
    with zipfile.ZipFile(ndp) as z:
        names = set(z.namelist())
        assert {"manifest.json", "plugin.wasm"} <= names, names
        return z.read("plugin.wasm"), json.loads(z.read("manifest.json"))


@pytest.fixture(scope="session")
def conformance_ndp():
    return ensure_built(CONFORMANCE_PLUGIN)


@pytest.fixture(scope="session")
def minimal_ndp():
    return ensure_built(ROOT / "Plugins" / "minimal")


@pytest.fixture
def host():
    RECORDER.reset()
    yield RECORDER
    RECORDER.reset()


def load(ndp, config=None):
    wasm, _ = wasm_from_ndp(ndp)
    # Navidrome runs plugins with WASI enabled.
    return extism.Plugin(wasm, wasi=True, config=config or {}, functions=HOST_FUNCTION_OBJECTS)


@pytest.fixture
def plugin(conformance_ndp, host):
    return load(conformance_ndp)


@pytest.fixture
def make_plugin(conformance_ndp, host):
    return lambda config=None: load(conformance_ndp, config)


def call_json(plugin, export, payload):
    data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    out = plugin.call(export, data)
    return json.loads(out) if out else None


TRACK = {
    "id": "tr-1",
    "title": "Teardrop",
    "album": "Mezzanine",
    "artist": "Massive Attack",
    "albumArtist": "Massive Attack",
    "artists": [{"id": "ar-1", "name": "Massive Attack", "mbid": "10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8"}],
    "albumArtists": [{"id": "ar-1", "name": "Massive Attack"}],
    "duration": 330.5,
    "trackNumber": 3,
    "discNumber": 1,
    "mbzRecordingId": "rec-1",
    "mbzAlbumId": "alb-1",
    "mbzReleaseGroupId": "rg-1",
    "mbzReleaseTrackId": "rt-1",
}


LOOPBACK_TIMEOUT = 10  # seconds: every loopback HTTP exchange and server shutdown


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 serving `handler` (tests reach nothing else)."""

    def __init__(self, handler):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.timeout = LOOPBACK_TIMEOUT
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(LOOPBACK_TIMEOUT)
        assert not self.thread.is_alive()


def go_canonical(name):
    """Go's http.CanonicalHeaderKey: `content-type` → `Content-Type`."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def loopback_http_send(request):
    """Navidrome's `http_send` (plugins/host_httpclient.go) performed for real, to loopback only:
    method upper-cased (empty is GET), redirects followed unless `noFollowRedirects`, 4xx and
    5xx are results, network failures are errors, headers Go-canonical with the first value."""
    r = request["request"]
    method = (r.get("method") or "GET").upper()
    url = r["url"]
    body = base64.b64decode(r.get("body") or "")
    timeout = min((r.get("timeoutMs") or 0) / 1000 or LOOPBACK_TIMEOUT, LOOPBACK_TIMEOUT)
    for _ in range(10):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return {"error": f"invalid URL scheme {parts.scheme!r}"}
        assert parts.hostname == "127.0.0.1", f"tests only ever reach loopback, not {url}"
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        try:
            connection.request(method, target, body=body or None, headers=r.get("headers") or {})
            response = connection.getresponse()
            data = response.read()
        except ConnectionRefusedError:
            return {"error": f'{method.title()} "{url}": dial tcp {parts.netloc}: connect: connection refused'}
        except OSError as error:
            return {"error": f'{method.title()} "{url}": {error}'}
        finally:
            connection.close()
        location = response.getheader("Location")
        if response.status in (301, 302, 303, 307, 308) and location and not r.get("noFollowRedirects"):
            url = urllib.parse.urljoin(url, location)
            if response.status in (301, 302, 303):
                method, body = ("GET" if method != "HEAD" else method), b""
            continue
        headers = {}
        for name, value in response.getheaders():
            headers.setdefault(go_canonical(name), value)
        result = {"statusCode": response.status}
        if headers:
            result["headers"] = headers
        if data:
            result["body"] = base64.b64encode(data).decode()
        return {"result": result}
    return {"error": f'{method.title()} "{url}": stopped after 10 redirects'}


class MemoryCache:
    """Navidrome's cache get/set functions over a dict (TTLs recorded, not enforced)."""

    def __init__(self):
        self.values, self.ttls = {}, {}

    def get(self, request):
        key = request["key"]
        return {"value": self.values[key], "exists": True} if key in self.values else {}

    def set(self, request):
        self.values[request["key"]] = request["value"]
        self.ttls[request["key"]] = request["ttlSeconds"]
        return {}
