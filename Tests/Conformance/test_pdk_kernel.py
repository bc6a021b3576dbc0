"""Extism kernel bindings of the PDK: input, output, error, config, vars and logging."""

import json

import extism
import pytest

from conftest import call_json


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 15, 16, 17, 4095, 65536 + 3, 1_000_003])
def test_input_and_output_of_every_length(plugin, size):
    data = bytes((i * 131 + 7) & 0xFF for i in range(size))
    assert plugin.call("pdk_test_echo", data) == data


def test_config_vars_and_log_level(make_plugin):
    p = make_plugin({"greeting": "héllo"})
    out = call_json(p, "pdk_test_kernel", {"config": "greeting", "var": "counter", "value": "1", "message": "m"})
    assert out["config"] == "héllo"
    assert out["varBefore"] is None and out["varAfter"] == "1"
    # Vars persist within one Extism instance (Navidrome makes a fresh one per call).
    out = call_json(p, "pdk_test_kernel", {"config": "missing", "var": "counter", "value": "", "message": "m"})
    assert out["config"] is None
    assert out["varBefore"] == "1" and out["varAfter"] is None  # an empty value deletes


def test_logging_respects_host_level(make_plugin, tmp_path):
    log = tmp_path / "extism.log"
    extism.set_log_file(str(log), "info")
    out = call_json(make_plugin(), "pdk_test_kernel", {"config": "", "var": "v", "value": "x", "message": "lvl"})
    assert out["logLevel"] == 2 and out["debugEnabled"] is False
    text = log.read_text() if log.exists() else ""
    for line in ("pdk-info lvl", "pdk-warn lvl", "pdk-error lvl"):
        assert line in text
    assert "pdk-debug lvl" not in text and "pdk-trace lvl" not in text


def test_error_message_reaches_host(plugin, host):
    with pytest.raises(extism.Error, match="unknown host call 'nope'"):
        plugin.call("pdk_test_host", json.dumps({"call": "nope"}))
