"""The reference Extism runtime (PyPI `extism`: wasmtime + the real kernel) as a benchmark worker.

RuntimeBenchmarks starts this with the project's venv python and measures the same calls as in
Tonearm, in the same run. One JSON request per stdin line:

    {"ndp": "build/plugins/minimal.ndp", "export": "nd_scrobbler_is_authorized",
     "input": "{...}", "config": {...}, "fresh": true, "count": 200,
     "responses": {"cache_getstring": "{...}"}}

`fresh`: a new plugin from one compiled module for every call (Navidrome's way); otherwise
calls on one warm plugin. Every `extism:host/user` function the module imports answers `{}`
unless `responses` names it, like Tonearm's canned host services. One JSON line back: {"ns": [per-call nanoseconds]} or
{"error": "..."}.
"""

import json
import sys
import time
import zipfile

import extism


def _leb(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def host_imports(wasm):
    """Names of the functions the module imports from extism:host/user."""
    names, i = [], 8
    while i < len(wasm):
        section = wasm[i]
        size, i = _leb(wasm, i + 1)
        end = i + size
        if section == 2:
            count, j = _leb(wasm, i)
            for _ in range(count):
                length, j = _leb(wasm, j)
                module = wasm[j:j + length].decode()
                j += length
                length, j = _leb(wasm, j)
                field = wasm[j:j + length].decode()
                j += length
                kind = wasm[j]
                j += 1
                if kind == 0:
                    _, j = _leb(wasm, j)
                elif kind == 1:
                    j += 1
                    flags = wasm[j]
                    _, j = _leb(wasm, j + 1)
                    if flags & 1:
                        _, j = _leb(wasm, j)
                elif kind == 2:
                    flags = wasm[j]
                    _, j = _leb(wasm, j + 1)
                    if flags & 1:
                        _, j = _leb(wasm, j)
                else:
                    j += 2
                if module == "extism:host/user" and kind == 0:
                    names.append(field)
        i = end
    return names


def canned(name, response="{}"):
    def handler(current_plugin, params, results, *user_data):
        current_plugin.return_string(results[0], response)

    return extism.host_fn(name=name, namespace="extism:host/user",
                          signature=([extism.ValType.I64], [extism.ValType.I64]))(handler)


compiled_cache = {}


def run(request):
    ndp = request["ndp"]
    responses = request.get("responses") or {}
    key = (ndp, json.dumps(responses, sort_keys=True))
    if key not in compiled_cache:
        with zipfile.ZipFile(ndp) as archive:
            wasm = archive.read("plugin.wasm")
        functions = [canned(name, responses.get(name, "{}")) for name in host_imports(wasm)]
        compiled_cache[key] = extism.extism.CompiledPlugin(wasm, wasi=True, functions=functions)
    compiled = compiled_cache[key]
    config = request.get("config") or {}
    export, data = request["export"], request["input"].encode()
    fresh = request.get("fresh", True)
    warm = None if fresh else extism.Plugin(compiled, config=config)
    samples = []
    for _ in range(int(request.get("count", 1))):
        start = time.perf_counter_ns()
        plugin = extism.Plugin(compiled, config=config) if fresh else warm
        plugin.call(export, data)
        samples.append(time.perf_counter_ns() - start)
    return {"ns": samples}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = run(json.loads(line))
        except Exception as error:  # reported to the benchmark, which fails with it
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
