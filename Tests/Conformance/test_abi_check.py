"""scripts/abi-check against a Navidrome-shaped Go tree written from ABI/ itself: no differences
for a faithful tree, and each kind of drift (new field, retyped field, omitempty, renamed host
function, new export) reported by name."""

import json
import subprocess

from conftest import ABI, ROOT

GO_SCALARS = {"string": "string", "bool": "bool", "int32": "int32", "int64": "int64", "float32": "float32",
              "float64": "float64", "bytes": "[]byte", "any": "any"}


def go_type(ref, types):
    if ref.endswith("?"):
        return "*" + go_type(ref[:-1], types)
    if ref.startswith("["):
        return "[]" + go_type(ref[1:-1], types)
    if ref.startswith("{string:"):
        return "map[string]" + go_type(ref[len("{string:"):-1], types)
    if ref in types and "enum" in types[ref]:
        return "string"
    return GO_SCALARS.get(ref, ref)


def go_struct(name, fields, types):
    lines = [f"type {name} struct {{"]
    for f in fields:
        tag = f["json"] + (",omitempty" if f.get("omitempty") else "")
        ftype = "uint32" if f.get("goType") == "uint32" else go_type(f["type"], types)
        lines.append(f'\t{f["json"][:1].upper() + f["json"][1:]} {ftype} `json:"{tag}"`')
    return "\n".join(lines + ["}", ""])


def write_tree(root):
    types = json.loads((ABI / "types.json").read_text())["types"]
    docs = [json.loads(p.read_text()) for p in sorted((ABI / "capabilities").glob("*.json"))]
    services = [json.loads(p.read_text()) for p in sorted((ABI / "host").glob("*.json"))]
    for item in docs + services:
        types.update(item.get("types", {}))
    for folder in ("capabilities", "host", "types"):
        (root / "plugins" / folder).mkdir(parents=True)
    shared = "package types\n\n" + "".join(
        go_struct(n, t["fields"], types) for n, t in json.loads((ABI / "types.json").read_text())["types"].items())
    (root / "plugins" / "types" / "types.go").write_text(shared)
    for cap in docs:
        text = "package capabilities\n\ntype X interface {\n"
        text += "".join(f"\t//nd:export name={e['name']}\n\tM{i}() error\n" for i, e in enumerate(cap["exports"]))
        text += "}\n\n" + "".join(go_struct(n, t["fields"], types) for n, t in cap.get("types", {}).items() if "fields" in t)
        (root / "plugins" / "capabilities" / f"{cap['name']}.go").write_text(text)
    for svc in services:
        text = "package host\n\n"
        for fn in svc["functions"]:
            prefix = svc["name"] + fn["method"][:1].upper() + fn["method"][1:]
            text += go_struct(prefix + "Request", fn.get("params", []), types)
            text += go_struct(prefix + "Response", fn.get("results", []) + [{"json": "error", "type": "string", "omitempty": True}], types)
            text += f'func f{prefix}() {{ extism.NewHostFunctionWithStack(\n\t\t"{fn["name"]}", nil) }}\n\n'
        text += "".join(go_struct(n, t["fields"], types) for n, t in svc.get("types", {}).items() if "fields" in t)
        (root / "plugins" / "host" / f"{svc['name'].lower()}_gen.go").write_text(text)


def check(root):
    result = subprocess.run([str(ROOT / "scripts" / "abi-check"), str(root)], capture_output=True, text=True, timeout=60)
    return result.returncode, [l for l in result.stdout.splitlines() if "note:" not in l]


def test_faithful_tree_has_no_differences(tmp_path):
    write_tree(tmp_path)
    code, lines = check(tmp_path)
    assert (code, lines) == (0, [f"abi-check: 0 difference(s) from {tmp_path}"])


def test_drift_is_reported_by_name(tmp_path):
    write_tree(tmp_path)
    host = tmp_path / "plugins" / "host"
    cache = (host / "cache_gen.go").read_text()
    cache = cache.replace('\tTtlSeconds int64 `json:"ttlSeconds"`', '\tTtlSeconds int32 `json:"ttlSeconds,omitempty"`', 1)
    cache = cache.replace('type CacheRemoveRequest struct {\n', 'type CacheRemoveRequest struct {\n\tNamespace string `json:"namespace"`\n')
    cache = cache.replace('"cache_has"', '"cache_contains"')
    (host / "cache_gen.go").write_text(cache)
    lyrics = tmp_path / "plugins" / "capabilities" / "Lyrics.go"
    lyrics.write_text(lyrics.read_text().replace("type X interface {\n", "type X interface {\n\t//nd:export name=nd_lyrics_get_synced\n\tS() error\n"))
    code, lines = check(tmp_path)
    assert code == 1
    assert set(lines) == {
        "abi-check: cache_setstring request.ttlSeconds: ABI/ type int64, Navidrome int32",
        "abi-check: cache_setstring request.ttlSeconds: omitempty is False in ABI/, True in Navidrome",
        "abi-check: cache_remove request: Navidrome has field 'namespace', ABI/ does not",
        "abi-check: ABI/ describes host function cache_has, which this checkout does not register",
        "abi-check: Navidrome registers host function cache_contains, which no ABI/host file describes",
        "abi-check: Navidrome exports nd_lyrics_get_synced, which no ABI/capabilities file describes",
        f"abi-check: 6 difference(s) from {tmp_path}",
    }
