"""Every capability export of the Swift PDK, called in the reference Extism runtime with
Navidrome-shaped JSON built from ABI/ with every field set: the plugin's typed request must
re-encode to exactly the JSON it was given, and its typed response must come out exactly as
Navidrome would read it. (Scrobbler, WebSocketCallback, SchedulerCallback and Lifecycle have
behavioural tests in test_pdk_capabilities.py.)"""

import base64
import json
import struct

import extism
import pytest

from conftest import ABI, load, wasm_from_ndp, wasm_imports_exports

SHARED = json.loads((ABI / "types.json").read_text())["types"]
CAPABILITIES = {path.stem: json.loads(path.read_text()) for path in sorted((ABI / "capabilities").glob("*.json"))}
BEHAVIOURAL = {"scrobbler", "websocket_callback", "scheduler_callback", "lifecycle"}
EXPORTS = [(name, cap, export) for name, cap in CAPABILITIES.items() if name not in BEHAVIOURAL
           for export in cap["exports"]]


def example(ref, types, seed):
    """A value of ABI type `ref` with every field non-empty (Go's omitempty keeps them all)."""
    if ref.endswith("?"):
        return example(ref[:-1], types, seed)
    if ref.startswith("["):
        return [example(ref[1:-1], types, seed + "0"), example(ref[1:-1], types, seed + "1")]
    if ref.startswith("{string:"):
        return {f"{seed}-k": example(ref[len("{string:"):-1], types, seed + "v")}
    n = sum(map(ord, seed))
    scalar = {
        "string": f"{seed} é ✓ \"quoted\"",
        "bool": True,
        "int32": 1000 + n,
        "int64": 9007199254740993 + n,   # beyond float64's exact integers
        "float32": 245.5,
        "float64": 0.1 + n,
        "bytes": base64.b64encode(bytes([0, 255, n % 256]) + seed.encode()).decode(),
        "any": {"nested": [1, "two", None, True]},
    }
    if ref in scalar:
        return scalar[ref]
    definition = types[ref]
    if "enum" in definition:
        return definition["enum"][-1]
    value = {}
    for field in definition["fields"]:
        if field.get("goType") == "uint32":
            value[field["json"]] = 4_000_000_000
        else:
            value[field["json"]] = example(field["type"], types, f"{seed}.{field['json']}")
    return value


def types_of(cap):
    types = dict(SHARED)
    types.update(cap.get("types", {}))
    return types


def without_raw(value, ref, types):
    """The JSON part of a framed payload: fields with transport raw travel as the trailer."""
    raw = {f["json"] for f in types[ref]["fields"] if f.get("transport") == "raw"}
    return {k: v for k, v in value.items() if k not in raw}


@pytest.fixture
def every(conformance_ndp, host):
    return lambda config: load(conformance_ndp, config)


def test_every_capability_export_is_exported(conformance_ndp):
    _, exports = wasm_imports_exports(wasm_from_ndp(conformance_ndp)[0])
    expected = {e["name"] for cap in CAPABILITIES.values() for e in cap["exports"]}
    assert expected <= set(exports)


@pytest.mark.parametrize("name,cap,export", EXPORTS, ids=[e["name"] for _, _, e in EXPORTS])
def test_request_and_response_carry_every_field(every, host, name, cap, export):
    if export.get("framing") == "raw":
        pytest.skip("framed export: test_http_endpoint_frame")
    types = types_of(cap)
    request = example(export["input"], types, export["name"])
    output = export["output"]
    if output in ("string",):
        response = "done: ✓ \"quoted\""
        config = {"response:" + export["name"]: response}
    else:
        response = example(output.rstrip("?"), types, "response")
        config = {"response:" + export["name"]: json.dumps(response)}
    plugin = every(config)
    out = plugin.call(export["name"], json.dumps(request))
    assert json.loads(out) == response
    recorded = [r for r in host.requests("cache_setstring") if r["key"] == "request:" + export["name"]]
    assert [json.loads(r["value"]) for r in recorded] == [request]


@pytest.mark.parametrize("name,cap,export", EXPORTS, ids=[e["name"] for _, _, e in EXPORTS])
def test_failure_is_the_call_error(every, host, name, cap, export):
    if export.get("framing") == "raw":
        pytest.skip("framed export: test_http_endpoint_frame")
    plugin = every({"fail:" + export["name"]: "upstream said no"})
    with pytest.raises(extism.Error, match="upstream said no"):
        plugin.call(export["name"], json.dumps(example(export["input"], types_of(cap), "x")))


@pytest.mark.parametrize("export", [e["name"] for e in CAPABILITIES["metadata_agent"]["exports"]])
def test_metadata_not_found_is_empty_output(every, host, export):
    # Navidrome reads no output (or null) as "not found" for every MetadataAgent method.
    assert every({}).call(export, json.dumps({"id": "ar-1", "name": "Nobody"})) == b""


def frame(payload, body):
    text = json.dumps(payload).encode()
    return struct.pack(">I", len(text)) + text + body


def unframe(out):
    assert out[0] == 0, out
    (length,) = struct.unpack(">I", out[1:5])
    return json.loads(out[5:5 + length]), out[5 + length:]


def test_http_endpoint_frame(every, host):
    cap = CAPABILITIES["http_endpoint"]
    export = cap["exports"][0]
    types = types_of(cap)
    request = without_raw(example(export["input"], types, "req"), export["input"], types)
    response = without_raw(example(export["output"], types, "resp"), export["output"], types)
    body = bytes(range(256)) + "é✓".encode()
    plugin = every({"response:" + export["name"]: json.dumps(response)})
    metadata, trailer = unframe(plugin.call(export["name"], frame(request, body)))
    assert metadata == response
    assert trailer == body[::-1]
    recorded = [r for r in host.requests("cache_setstring") if r["key"] == "request:" + export["name"]]
    assert [json.loads(r["value"]) for r in recorded] == [request]
    assert host.requests("cache_setbytes")[-1]["value"] == base64.b64encode(body).decode()


def test_http_endpoint_failure_and_bad_frames(every, host):
    name = "nd_http_handle_request"
    failing = every({"fail:" + name: "handler broke"})
    assert failing.call(name, frame({"method": "GET", "path": "/"}, b"")) == b"\x01handler broke"
    plugin = every({"response:" + name: "{}"})
    assert plugin.call(name, b"\x00\x00").startswith(b"\x01invalid input: shorter than the 4-byte frame header")
    assert plugin.call(name, struct.pack(">I", 99) + b"{}").startswith(b"\x01invalid input: frame header announces 99 bytes")
    assert plugin.call(name, frame([], b"")).startswith(b"\x01invalid input:")
    # An empty body and an empty response are a valid frame.
    metadata, trailer = unframe(plugin.call(name, frame({"method": "GET", "path": ""}, b"")))
    assert trailer == b""
