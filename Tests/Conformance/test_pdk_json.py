"""The PDK's JSON library inside a PDK-built plugin (Embedded Swift on wasm32): valid
documents round-trip, malformed and hostile inputs give a clear error and never a trap."""

import json
import math
import random
import struct

import extism
import pytest

from conftest import TRACK, call_json, load


def roundtrip(plugin, text):
    return plugin.call("pdk_test_json", text)


def parse_error(plugin, data):
    with pytest.raises(extism.Error) as info:
        plugin.call("pdk_test_json", data)
    return str(info.value)


DOCUMENTS = [
    '{"op":0,"d":{"session_id":"x","list":[1,2.5,-3e-7,true,false,null]},"t":"READY","s":42}',
    '"\\u00e9\\u20ac\\ud83c\\udfb5 plain \\" \\\\ \\/ \\b\\f\\n\\r\\t"',
    '[9223372036854775807,-9223372036854775808,0,-0.0,1e300,5e-324,0.1,0.30000000000000004]',
    '{"nested":{"a":{"b":{"c":[[[[{}]]]]}}},"empty":"","unicode":"ẞ🎵日本"}',
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_documents_round_trip(plugin, text):
    out = roundtrip(plugin, text)
    assert json.loads(out) == json.loads(text)
    assert roundtrip(plugin, out) == out  # serializer output is a fixed point


def test_doubles_round_trip_exactly(plugin):
    rng = random.Random(7)
    values = [0.1, 1e23, 2.2250738585072011e-308, 5e-324, 1.7976931348623157e308, 215.5, 1/3, 9007199254740993.0]
    values += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0] for _ in range(3000)]
    values = [v for v in values if math.isfinite(v)]
    out = json.loads(roundtrip(plugin, json.dumps(values)))
    assert out == values


def test_huge_integer_becomes_double(plugin):
    assert json.loads(roundtrip(plugin, "123456789012345678901234567890")) == 1.2345678901234568e29


@pytest.mark.parametrize("data,message", [
    ("", "invalid JSON at byte 0: unexpected end of input"),
    ('{"a":', "invalid JSON at byte 5: unexpected end of input"),
    ("[1,]", "invalid JSON at byte 3: expected a value, found ']'"),
    ('"\\x"', "invalid JSON at byte 1: invalid escape sequence, found 'x'"),
    ('"\\ud800"', "invalid JSON at byte 1: lone high surrogate"),
    ('"\\udc00"', "invalid JSON at byte 1: lone low surrogate"),
    ('"\\ud800\\u0041"', "invalid JSON at byte 7: high surrogate followed by"),
    ("01", "invalid JSON at byte 0: leading zeros"),
    ("1e400", "invalid JSON at byte 0: number is too large"),
    ("-1" + "0" * 400, "invalid JSON at byte 0: number is too large"),
    ("[1] x", "invalid JSON at byte 4: unexpected data after the JSON value"),
    ('"a\x01"', "invalid JSON at byte 2: unescaped control character in string, found byte 0x01"),
    (b'"\xc0\xaf"', "invalid JSON at byte 1: invalid UTF-8"),
    (b'"\xed\xa0\x80"', "invalid JSON at byte 1: invalid UTF-8"),
    ("[" * 10000 + "]" * 10000, "nested deeper than the depth limit"),
    ('{"a":' * 10000 + "1" + "}" * 10000, "nested deeper than the depth limit"),
])
def test_malformed_and_hostile_inputs(plugin, data, message):
    assert message in parse_error(plugin, data)


def test_every_truncation_is_an_error_not_a_trap(plugin):
    doc = json.dumps({"username": "ä", "track": TRACK, "position": 1}).encode()
    for n in range(len(doc)):
        assert "invalid JSON at byte" in parse_error(plugin, doc[:n])
    # The instance is still healthy afterwards.
    assert json.loads(roundtrip(plugin, doc)) == json.loads(doc)


def test_depth_limit_is_configurable_up_to_the_cap(make_plugin):
    p = make_plugin({"max_depth": "2000"})  # capped at JSONParser.maximumDepth = 512
    deep = "[" * 512 + "]" * 512
    assert roundtrip(p, deep) == deep.encode()
    assert "nested deeper than the depth limit" in parse_error(p, "[" * 513 + "]" * 513)
    deep_objects = '{"a":' * 512 + "1" + "}" * 512
    assert roundtrip(p, deep_objects) == deep_objects.encode()


def test_lazy_reader_picks_gateway_fields_from_large_message(plugin):
    ready = {"t": "READY", "s": 1, "op": 0, "d": {
        "v": 10, "user": {"id": "1", "username": "a"},
        "guilds": [{"id": str(i), "name": "guild \u00e9 " * 20, "features": ["A", "B"]} for i in range(2500)],
        "session_id": "9f3", "resume_gateway_url": "wss://gateway-us-east1-b.discord.gg"}}
    message = json.dumps(ready)
    assert len(message) > 500_000
    assert call_json(plugin, "pdk_test_lazy", message) == {
        "op": 0, "t": "READY", "s": 1, "session_id": "9f3", "resume_gateway_url": "wss://gateway-us-east1-b.discord.gg"}
    assert call_json(plugin, "pdk_test_lazy", '{"op":11,"d":null,"t":null,"s":null}') == {"op": 11, "t": None, "s": None}
    with pytest.raises(extism.Error, match="invalid JSON at byte"):
        plugin.call("pdk_test_lazy", message[:-1])


def test_now_playing_payload_round_trips(plugin):
    payload = {"username": "alice", "track": dict(TRACK, libraryId=1, path="a/b.flac"), "position": 42}
    assert call_json(plugin, "pdk_test_nowplaying_roundtrip", payload) == payload
    # Navidrome leaves out empty MusicBrainz ids, libraryId and path; so does the encoder.
    bare = dict(TRACK)
    for k in ("mbzRecordingId", "mbzAlbumId", "mbzReleaseGroupId", "mbzReleaseTrackId"):
        bare.pop(k)
    payload = {"username": "bob", "track": bare, "position": 0}
    assert call_json(plugin, "pdk_test_nowplaying_roundtrip", payload) == payload
