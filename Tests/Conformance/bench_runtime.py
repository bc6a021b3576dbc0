"""Per-call overhead of Tonearm's runtime next to the reference Extism runtime, in one run.

    .venv/bin/python Tests/Conformance/bench_runtime.py [path/to/tonearm]

Tonearm (release build by default): a stateless call of a no-op export through
`tonearm plugin call --repeat`, on pooled instances restored to their snapshot (compiled-module
cache hit) and with `--fresh-instances` (a new instance per call: cache miss). Reference
(PyPI `extism`, wasmtime + the real kernel, through its Python binding): a fresh plugin per call
from a compiled module (Navidrome's way) and calls on one warm plugin. Not a test: it asserts
nothing, it prints figures.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import extism  # noqa: E402

from conftest import HOST_FUNCTION_OBJECTS, ROOT, ensure_built, wasm_from_ndp  # noqa: E402

EXPORT, INPUT = "nd_scrobbler_is_authorized", json.dumps({"username": "alice"})


def tonearm(binary, ndp, repeat, fresh=False):
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "responses.json").write_text("{}")
        args = [binary, "plugin", "call", str(ndp), EXPORT, INPUT, "--json", "--repeat", str(repeat),
                "--host-responses", "responses.json"]
        if fresh:
            args.append("--fresh-instances")
        report = json.loads(subprocess.run(args, cwd=scratch, capture_output=True, text=True, check=True).stdout)
    return report["timing"]["medianMicroseconds"]


def reference(ndp, repeat, fresh):
    wasm, _ = wasm_from_ndp(ndp)
    compiled = extism.extism.CompiledPlugin(wasm, wasi=True, functions=HOST_FUNCTION_OBJECTS)
    warm = extism.Plugin(compiled)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        plugin = extism.Plugin(compiled) if fresh else warm
        plugin.call(EXPORT, INPUT)
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build" / "release" / "tonearm")
    plugins = [("minimal", ensure_built(ROOT / "Plugins" / "minimal"))]
    discord = ROOT / "Plugins" / "discord-rich-presence"
    if discord.exists():
        plugins.append(("discord-rich-presence", ensure_built(discord)))
    print(f"{'plugin':24} {'tonearm pooled':>15} {'tonearm fresh':>14} {'extism fresh':>13} {'extism warm':>12}  (median µs per call)")
    for name, ndp in plugins:
        pooled = tonearm(binary, ndp, 5000)
        fresh = tonearm(binary, ndp, 300, fresh=True)
        ref_fresh = reference(ndp, 300, fresh=True)
        ref_warm = reference(ndp, 5000, fresh=False)
        print(f"{name:24} {pooled:15.1f} {fresh:14.1f} {ref_fresh:13.1f} {ref_warm:12.1f}"
              f"   ×{ref_fresh / pooled:.0f} vs extism fresh")


if __name__ == "__main__":
    main()
