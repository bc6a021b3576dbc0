"""The Swift PDK's side of the ABI: capability protocols and export bodies, payload structs and
host-service clients for Embedded Swift (PDK/Sources/NavidromePDK/Generated), and the
conformance plugin's host-client dispatcher."""

import json
import os
import re

from .model import (ABIError, camel, doc_lines, members, generated_types, header, ident, required_pointer,
                    result_shape, upper_first)

class TypeMap:
    """Maps ABI type references to Swift types, readers and writers."""

    SCALARS = {
        # abi: (swift type, zero value, reader, optional reader)
        "string": ("String", '""', "string", "optionalString"),
        "bool": ("Bool", "false", "bool", "optionalBool"),
        "int32": ("Int32", "0", "int32", None),
        "int64": ("Int64", "0", "int64", "optionalInt64"),
        # Go float32 fields arrive as JSON numbers and are held as Double.
        "float32": ("Double", "0", "double", "optionalDouble"),
        "float64": ("Double", "0", "double", "optionalDouble"),
        "bytes": ("[UInt8]", "[]", "bytes", None),
        "any": ("JSONValue", ".null", None, None),
    }

    def __init__(self, types, where):
        self.types = types  # name -> definition, every type visible from this file
        self.where = where

    def fail(self, message):
        raise ABIError(f"{self.where}: {message}")

    def check(self, ref):
        if ref.endswith("?"):
            return self.check(ref[:-1])
        if ref.startswith("["):
            return self.check(ref[1:-1])
        if ref.startswith("{string:"):
            return self.check(ref[len("{string:"):-1])
        if ref not in self.SCALARS and ref not in self.types:
            self.fail(f"unknown type '{ref}'")

    def is_enum(self, ref):
        return ref in self.types and "enum" in self.types[ref]

    def swift(self, ref):
        self.check(ref)
        if ref.endswith("?"):
            return self.swift(ref[:-1]) + "?"
        if ref.startswith("["):
            return f"[{self.swift(ref[1:-1])}]"
        if ref.startswith("{string:"):
            return f"[(key: String, value: {self.swift(ref[len('{string:'):-1])})]"
        if ref in self.SCALARS:
            return self.SCALARS[ref][0]
        if self.is_enum(ref):
            return "String"
        return ref

    def zero(self, ref):
        if ref.endswith("?"):
            return "nil"
        if ref.startswith("[") or ref.startswith("{"):
            return "[]"
        if ref in self.SCALARS:
            return self.SCALARS[ref][1]
        if self.is_enum(ref):
            return '""'
        return f"{ref}()"

    def element(self, ref):
        """The JSONElement converting one array element or map value."""
        swift = self.swift(ref)
        if ref in ("float32", "float64"):
            return "JSONElement<Double>.double"
        if self.is_enum(ref):
            return "JSONElement<String>.string"
        if ref in self.SCALARS:
            return f"JSONElement<{swift}>.{ref}"
        if ref in self.types:
            return f"JSONElement<{swift}>.object"
        if ref.endswith("?"):
            return f"JSONElement<{swift}>.optional({self.element(ref[:-1])})"
        if ref.startswith("["):
            return f"JSONElement<{swift}>.array(of: {self.element(ref[1:-1])})"
        self.fail(f"unsupported element type '{ref}'")

    def read(self, ref, key):
        """Swift expression reading member `key` of `json` (a JSONObjectReader)."""
        k = json.dumps(key)
        if ref.endswith("?"):
            inner = ref[:-1]
            if inner in self.SCALARS and self.SCALARS[inner][3]:
                return f"json.{self.SCALARS[inner][3]}({k})"
            if inner in self.types and not self.is_enum(inner):
                return f"json.optionalDecode({k}, as: {inner}.self)"
            return f"(json.contains({k}) && !(json.value({k})?.isNull ?? true) ? {self.read(inner, key)} : nil)"
        if ref.startswith("["):
            inner = ref[1:-1]
            if inner == "string":
                return f"json.stringArray({k})"
            if inner in self.types and not self.is_enum(inner):
                return f"json.array({k}, of: {inner}.self)"
            return f"json.list({k}, {self.element(inner)})"
        if ref.startswith("{string:"):
            inner = ref[len("{string:"):-1]
            if inner == "string":
                return f"json.stringPairs({k})"
            return f"json.pairs({k}, {self.element(inner)})"
        if ref == "any":
            return f"(json.value({k}) ?? .null)"
        if ref in self.SCALARS:
            return f"json.{self.SCALARS[ref][2]}({k})"
        if self.is_enum(ref):
            return f"json.string({k})"
        return f"json.decode({k}, as: {ref}.self)"

    def write(self, ref, key, value, omit, target="json"):
        """Swift statement writing `value` as member `key`."""
        k = json.dumps(key)
        o = ", omitEmpty: true" if omit else ""
        if ref.endswith("?"):
            inner = ref[:-1]
            if inner in self.types and not self.is_enum(inner):
                return f"{target}.set({k}, {value})"
            return f"if let v = {value} {{ {self.write(inner, key, 'v', False, target)} }}"
        if ref.startswith("["):
            inner = ref[1:-1]
            if inner == "string" or (inner in self.types and not self.is_enum(inner)):
                return f"{target}.set({k}, {value}{o})"
            return f"{target}.set({k}, list: {value}, {self.element(inner)}{o})"
        if ref.startswith("{string:"):
            inner = ref[len("{string:"):-1]
            if inner == "string":
                return f"{target}.set({k}, pairs: {value}{o})"
            return f"{target}.set({k}, pairs: {value}, {self.element(inner)}{o})"
        if ref == "any":
            return f"{target}.set({k}, {value})" if not omit else f"if !{value}.isNull {{ {target}.set({k}, {value}) }}"
        if ref == "bytes":
            return f"{target}.set({k}, bytes: {value}{o})"
        if ref in self.SCALARS or self.is_enum(ref):
            return f"{target}.set({k}, {value}{o})"
        return f"{target}.set({k}, {value})"


def struct_source(name, definition, types, where):
    """A payload struct with every field, decoding like Go (absent = zero) and encoding with omitempty."""
    tm = TypeMap(types, where)
    lines = doc_lines(definition.get("doc"))
    if "enum" in definition:
        lines.append(f"public enum {name}: String {{")
        for case in definition["enum"]:
            swift_case = re.sub(r"[^A-Za-z0-9]+(.)", lambda m: m.group(1).upper(), case)
            swift_case = swift_case[:1].lower() + swift_case[1:]
            lines.append(f"    case {ident(swift_case)}" + ("" if swift_case == case else f" = {json.dumps(case)}"))
        cases = ", ".join("." + ident(re.sub(r"[^A-Za-z0-9]+(.)", lambda m: m.group(1).upper(), c)[:1].lower()
                                          + re.sub(r"[^A-Za-z0-9]+(.)", lambda m: m.group(1).upper(), c)[1:])
                          for c in definition["enum"])
        lines.append("")
        lines.append("    /// The case whose raw value is `text`, compared byte by byte (`init(rawValue:)` needs")
        lines.append("    /// Unicode tables Embedded Swift does not link).")
        lines.append("    public init?(wireValue text: String) {")
        lines.append(f"        for c in [{cases}] as [{name}] where c.rawValue.hasSameUTF8(as: text) {{")
        lines.append("            self = c")
        lines.append("            return")
        lines.append("        }")
        lines.append("        return nil")
        lines.append("    }")
        lines.append("}")
        return "\n".join(lines) + "\n"
    fields = definition.get("fields", [])
    # Fields with "transport": "raw" travel outside the JSON (a binary frame's trailer).
    json_fields = [f for f in fields if f.get("transport") != "raw"]
    lines.append(f"public struct {name}: JSONDecodable, JSONEncodable {{")
    head, views = members(fields, "public", tm, "wireValue", "`nil` for a value this PDK does not know")
    lines += head
    lines.append("")
    lines.append("    public init(json: JSONObjectReader) throws(JSONError) {")
    if json_fields:
        args = ", ".join(f"{ident(f['json'])}: {tm.read(f['type'], f['json'])}" for f in json_fields)
        lines.append(f"        try self.init({args})")
    lines.append("    }")
    lines += views
    lines.append("")
    lines.append("    public func encode(to json: inout JSONObjectWriter) {")
    for f in json_fields:
        lines.append("        " + tm.write(f["type"], f["json"], f"self.{f['json']}", f.get("omitempty", False)))
    lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def capability_source(cap, shared):
    name = cap["name"]
    where = cap["_file"]
    types = dict(shared)
    types.update(cap.get("types", {}))
    tm = TypeMap(types, where)
    out = [header(where)]
    # The protocol.
    out += doc_lines(cap.get("doc"))
    out.append(f"///")
    out.append(f"/// Defined by Navidrome in {cap.get('navidrome', 'its plugin API')}. `scripts/build-plugins` exports")
    out.append(f"/// the methods a plugin type implements; the others are not exported.")
    out.append(f"public protocol {name} {{")
    out.append("    init()")
    signatures = []
    for e in cap["exports"]:
        if e.get("input"):
            tm.check(e["input"])
        if e.get("output"):
            tm.check(e["output"])
        args = f"_ request: {tm.swift(e['input'])}" if e.get("input") else ""
        result = f" -> {tm.swift(e['output'])}" if e.get("output") else ""
        sig = f"func {e['method']}({args}) throws(PluginError){result}"
        signatures.append((e, sig))
        out += doc_lines(e.get("doc"), "    ")
        out.append(f"    /// Export: `{e['name']}`.")
        out.append(f"    {sig}")
    out.append("}")
    out.append("")
    out.append(f"extension {name} {{")
    for e, sig in signatures:
        out.append(f"    public {sig} {{ throw .notImplemented }}")
    for e, _ in signatures:
        out.append("")
        out.append(f"    /// Body of the `{e['name']}` export.")
        out.append(f"    public static func {camel(e['name'])}() -> Int32 {{")
        output = e.get("output")
        if not output:
            encode = "; return nil"
            call = "try Self().{m}({a})"
        else:
            call = "try Self().{m}({a})"
            if output == "bool":
                call = "ExportCall.jsonBool(" + call + ")"
            elif output == "string":
                call = "ExportCall.jsonString(" + call + ")"
            elif output.startswith("["):
                call = "ExportCall.jsonArray(" + call + ")"
            elif output.endswith("?"):
                call = "(" + call + ")?.jsonBytes()"  # nil: no output, Navidrome's "not found"
            else:
                call = call + ".jsonBytes()"
            encode = ""
            call = "return " + call
        inp = e.get("input")
        if e.get("framing") == "raw":
            raw_in = [f["json"] for f in types[inp]["fields"] if f.get("transport") == "raw"]
            raw_out = [f["json"] for f in types[output]["fields"] if f.get("transport") == "raw"]
            if len(raw_in) != 1 or len(raw_out) != 1:
                raise ABIError(f"{where}: {e['name']}: a raw frame carries exactly one raw field each way")
            out.append(f"        // Binary frame: JSON without `{raw_in[0]}`, then the raw bytes (see RawFrame).")
            out.append(f"        return RawFrame.run({inp}.self, trailer: {{ $0.{raw_in[0]} = $1 }}) {{ (r) throws(PluginError) -> (JSONValue, [UInt8]) in")
            out.append(f"            let response = try Self().{e['method']}(r)")
            out.append(f"            return (response.jsonValue, response.{raw_out[0]})")
            out.append("        }")
            out.append("    }")
            continue
        if inp:
            body = call.format(m=e["method"], a="r")
            lazy = types.get(inp, {}).get("swift", {}).get("lazy")
            if lazy:
                out.append(f"        // Frequent call: read without a JSON tree; bad input is reported by the generic path.")
                out.append(f"        if let request = try? {inp}(jsonBytes: Extism.input()) {{")
                lazy_body = call.format(m=e["method"], a="request")
                out.append(f"            return ExportCall.run {{ () throws(PluginError) -> [UInt8]? in {lazy_body}{encode} }}")
                out.append("        }")
            out.append(f"        return ExportCall.run({inp}.self) {{ (r) throws(PluginError) -> [UInt8]? in {body}{encode} }}")
        else:
            body = call.format(m=e["method"], a="")
            out.append(f"        return ExportCall.run {{ () throws(PluginError) -> [UInt8]? in {body}{encode} }}")
        out.append("    }")
    out.append("}")
    errors = cap.get("errors")
    if errors:
        kind = f"{name}ErrorKind"
        out.append("")
        out.append(f"/// Failures Navidrome recognises from a {name} plugin (it matches the error text).")
        out.append(f"public enum {kind}: String {{")
        for err in errors:
            out += doc_lines(err.get("doc"), "    ")
            out.append(f"    case {ident(err['name'])} = {json.dumps(err['text'])}")
        out.append("}")
        out.append("")
        out.append("extension PluginError {")
        out.append(f"    /// A {name} error Navidrome recognises, with optional detail after the kind.")
        fn = name[:1].lower() + name[1:]
        out.append(f"    public static func {fn}(_ kind: {kind}, _ detail: String = \"\") -> PluginError {{")
        out.append("        PluginError(detail.utf8.isEmpty ? kind.rawValue : kind.rawValue + \": \" + detail)")
        out.append("    }")
        out.append("}")
    for tname, tdef in generated_types(cap.get("types", {})):
        out.append("")
        out.append(struct_source(tname, tdef, types, where).rstrip("\n"))
    return "\n".join(out) + "\n"


def service_source(svc, shared):
    name = svc["name"]
    where = svc["_file"]
    types = dict(shared)
    types.update(svc.get("types", {}))
    tm = TypeMap(types, where)
    enum = f"{name}Service"
    out = [header(where)]
    for fn in svc["functions"]:
        swift_name = f"nd_host_{fn['name']}"
        out.append(f'@_extern(wasm, module: "extism:host/user", name: "{fn["name"]}") @_extern(c, "{swift_name}")')
        out.append(f"func {swift_name}(_ request: Int64) -> Int64")
    out.append("")
    out += doc_lines(svc.get("doc"))
    out.append("///")
    out.append(f"/// Permission `{svc['permission']}` in manifest.json. Defined by Navidrome in {svc.get('navidrome', 'its plugin API')}.")
    out.append(f"public enum {enum} {{")
    extra_structs = []
    for fn in svc["functions"]:
        params = fn.get("params", [])
        for p in params:
            tm.check(p["type"])
        for r in fn.get("results", []):
            tm.check(r["type"])
        shape, detail = result_shape(fn, tm)
        if shape == "void":
            ret = ""
        elif shape == "single" and required_pointer(detail, tm):
            # A pointer to a struct is nil only with an error: a missing one is a bad response.
            ret = f" -> {tm.swift(detail['type'].rstrip('?'))}"
        elif shape == "single":
            ret = f" -> {tm.swift(detail['type'])}"
        elif shape == "optional":
            ret = f" -> {tm.swift(detail[0]['type']).rstrip('?')}?"
        else:
            result_name = f"{name}{upper_first(fn['method'])}Result"
            extra_structs.append(struct_source(result_name, {
                "doc": f"The result of ``{enum}/{fn['method']}``.", "fields": detail}, types, where))
            ret = f" -> {result_name}"
        args = ", ".join(
            f"{ident(p['json'])}: {tm.swift(p['type'])}" + (f" = {p['default']}" if "default" in p else "")
            for p in params)
        out.append("")
        out += doc_lines(fn.get("doc"), "    ")
        out.append(f"    /// Host function: `{fn['name']}`.")
        out.append(f"    public static func {ident(fn['method'])}({args}) throws(PluginError){ret} {{")
        fname = json.dumps(fn["name"])
        out.append("        var hostRequest = JSONObjectWriter()" if params else "        let hostRequest = JSONObjectWriter()")
        for p in params:
            out.append("        " + tm.write(p["type"], p["json"], ident(p["json"]), p.get("omitempty", False), "hostRequest"))
        call = f"HostCall.call({fname}, nd_host_{fn['name']}, hostRequest)"
        if shape == "void":
            out.append(f"        _ = try {call}")
        else:
            out.append(f"        let json = try {call}")
            if shape == "single" and required_pointer(detail, tm):
                read = tm.read(detail["type"], detail["json"])
                rtype = tm.swift(detail["type"].rstrip("?"))
                out.append(f"        return try HostCall.read({fname}) {{ () throws(JSONError) -> {rtype} in")
                out.append(f"            guard let value = try {read} else {{ throw JSONError.mismatch(\"missing '{detail['json']}'\") }}")
                out.append("            return value")
                out.append("        }")
            elif shape == "single":
                read = tm.read(detail["type"], detail["json"])
                rtype = tm.swift(detail["type"])
                out.append(f"        return try HostCall.read({fname}) {{ () throws(JSONError) -> {rtype} in try {read} }}")
            elif shape == "optional":
                value, flag = detail
                rtype = tm.swift(value["type"]).rstrip("?")
                read = tm.read(value["type"].rstrip("?"), value["json"])
                flag_read = f"json.bool({json.dumps(flag['json'])})"
                out.append(f"        return try HostCall.read({fname}) {{ () throws(JSONError) -> {rtype}? in")
                out.append(f"            try {flag_read} ? try {read} : nil")
                out.append("        }")
            else:
                out.append(f"        return try HostCall.read({fname}) {{ () throws(JSONError) -> {result_name} in try {result_name}(json: json) }}")
        out.append("    }")
    out.append("}")
    for tname, tdef in generated_types(svc.get("types", {})):
        out.append("")
        out.append(struct_source(tname, tdef, types, where).rstrip("\n"))
    for s in extra_structs:
        out.append("")
        out.append(s.rstrip("\n"))
    return "\n".join(out) + "\n"


def host_calls_source(services, shared):
    """The conformance plugin's `pdk_test_host` dispatcher: every host-service client, called
    with arguments read from JSON, its result written back as JSON."""
    out = [header("host/*.json"), "import NavidromePDK", "",
           "/// Calls the host-service client named `call` with the arguments in `json`; the result as JSON.",
           "func callHostClient(_ call: String, _ json: JSONObjectReader) throws(PluginError) -> JSONValue {",
           "    func argument<T>(_ read: () throws(JSONError) -> T) throws(PluginError) -> T {",
           "        do { return try read() } catch { throw PluginError(\"invalid arguments: \" + error.message) }",
           "    }",
           "    // Byte comparison: String == would need Unicode tables Embedded Swift does not link.",
           "    func named(_ name: StaticString) -> Bool {",
           "        call.utf8.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))",
           "    }"]
    for svc in services:
        types = dict(shared)
        types.update(svc.get("types", {}))
        tm = TypeMap(types, svc["_file"])
        for fn in svc["functions"]:
            shape, detail = result_shape(fn, tm)
            out.append(f"    if named({json.dumps(fn['name'])}) {{")
            for p in fn.get("params", []):
                out.append(f"        let {p['json']}Argument = try argument {{ () throws(JSONError) -> {tm.swift(p['type'])} in "
                           f"try {tm.read(p['type'], p['json'])} }}")
            args = ", ".join(f"{ident(p['json'])}: {p['json']}Argument" for p in fn.get("params", []))
            call = f"try {svc['name']}Service.{ident(fn['method'])}({args})"
            if shape == "void":
                out.append(f"        {call}")
                out.append("        return .null")
                out.append("    }")
                continue
            out.append(f"        let result = {call}")
            out.append("        var w = JSONObjectWriter()")
            if shape == "single" and required_pointer(detail, tm):
                out.append("        " + tm.write(detail["type"].rstrip("?"), "result", "result", False, "w"))
            elif shape == "single":
                out.append("        " + tm.write(detail["type"], "result", "result", False, "w"))
            elif shape == "optional":
                out.append("        " + tm.write(detail[0]["type"].rstrip("?") + "?", "result", "result", False, "w"))
            else:
                out.append("        w.set(\"result\", result)")
            out.append("        return w.object[\"result\"] ?? .null")
            out.append("    }")
    out += ["    throw PluginError(\"unknown host call '\" + call + \"'\")",
            "}"]
    return "\n".join(out) + "\n"


def shared_source(shared):
    out = [header("types.json")]
    for tname, tdef in generated_types(shared):
        out.append(struct_source(tname, tdef, shared, "types.json"))
    return "\n".join(out)


PDK_OUT = os.path.join("PDK", "Sources", "NavidromePDK", "Generated")


def files(shared, capabilities, services):
    """Generated file (path from the repository root) -> Swift source."""
    out = {os.path.join(PDK_OUT, "Payloads", "SharedTypes.swift"): shared_source(shared)}
    for cap in capabilities:
        out[os.path.join(PDK_OUT, "Capabilities", cap["name"] + ".swift")] = capability_source(cap, shared)
    for svc in services:
        out[os.path.join(PDK_OUT, "Host", svc["name"] + "Service.swift")] = service_source(svc, shared)
    out[os.path.join("Tests", "Conformance", "Plugins", "pdk-conformance", "HostCalls.swift")] = \
        host_calls_source(services, shared)
    return out
