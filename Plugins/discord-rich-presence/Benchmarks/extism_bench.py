"""Timing of the plugin's hot calls in the reference Extism runtime (not a test: prints figures).

    .venv/bin/python Plugins/discord-rich-presence/Benchmarks/extism_bench.py

Uses the fake Navidrome host of Tests/Conformance/test_discord_gateway.py; every call is a fresh
instance, as in Navidrome, so the figures include instantiation.
"""

import json
import pathlib
import statistics
import sys
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "Tests" / "Conformance"))
import test_discord_gateway as t  # noqa: E402


def timed(label, fn, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    print(f"{label:48s} median {statistics.median(samples) * 1e6:9.0f} µs  (n={runs})")


def main():
    wasm = zipfile.ZipFile(t.NDP).read("plugin.wasm")
    print(f"plugin.wasm: {len(wasm)} bytes ({len(wasm) / 1024:.0f} KiB)")
    compiled = t.extism.extism.CompiledPlugin(wasm, wasi=True, functions=[t._host_function(n) for n in t.HOST_FUNCTIONS])
    host = t.FakeNavidrome(compiled, t.config())
    host.now_playing("alice", t.TRACK)
    t.connect_ready(host)

    big = t.ready()
    big["d"]["guilds"] = [{"id": str(i), "name": "guild " + "x" * 350, "channels": [{"id": str(j)} for j in range(10)]}
                          for i in range(1000)]
    ready_text = json.dumps(big)
    dispatch = json.dumps({"t": "PRESENCE_UPDATE", "s": 5, "op": 0, "d": {
        "user": {"id": "80351110224678912"}, "status": "online", "client_status": {"desktop": "online"},
        "activities": [{"type": 0, "name": "x" * 700, "created_at": 1700000000000}]}})
    print(f"READY: {len(ready_text)} bytes; dispatch: {len(dispatch)} bytes")

    n = [0]

    def skip():
        n[0] += 1
        host.now_playing("alice", t.track(n[0]))

    timed("nd_scrobbler_now_playing (new track)", skip, 50)
    timed("nd_websocket_on_text_message (1 KB dispatch)", lambda: host.gateway("alice", dispatch), 200)
    timed("nd_websocket_on_text_message (500 KB READY)", lambda: host.gateway("alice", ready_text), 20)
    timed("nd_scrobbler_is_authorized", lambda: host.is_authorized("alice"), 200)


if __name__ == "__main__":
    main()
