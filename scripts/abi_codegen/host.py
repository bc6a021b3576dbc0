"""The host's side of the ABI (Sources/NavidromeABI/Generated): every payload as a Swift struct
that decodes the way Go's encoding/json fills a struct (range-checked, errors naming the field)
and encodes the way Go writes it (omitempty, float32 digits, maps sorted by key); the host
functions with their permissions; the capabilities with their exports."""

import json
import os

from .model import doc_lines, header, ident, members, upper_first

HOST_OUT = os.path.join("Sources", "NavidromeABI", "Generated")

SCALARS = {
    # abi: (swift type, zero, reader, encoder format)
    "string": ("String", '""', "string", ".string({})"),
    "bool": ("Bool", "false", "bool", ".bool({})"),
    "int32": ("Int32", "0", "int32", ".integer(Int64({}))"),
    "int64": ("Int64", "0", "int64", ".integer({})"),
    "float32": ("Float", "0", "float32", ".float32({})"),
    "float64": ("Double", "0", "double", ".number({})"),
    "bytes": ("[UInt8]", "[]", "bytes", ".bytes({})"),
    "any": ("JSONValue", ".null", None, "{}"),
}


class HostTypes:
    def __init__(self, types):
        self.types = types

    def is_enum(self, ref):
        return ref in self.types and "enum" in self.types[ref]

    def is_struct(self, ref):
        return ref in self.types and not self.is_enum(ref)

    def swift(self, ref):
        if ref.endswith("?"):
            return self.swift(ref[:-1]) + "?"
        if ref.startswith("["):
            return f"[{self.swift(ref[1:-1])}]"
        if ref.startswith("{string:"):
            return f"[String: {self.swift(ref[len('{string:'):-1])}]"
        if ref in SCALARS:
            return SCALARS[ref][0]
        if self.is_enum(ref):
            return "String"
        return ref

    def zero(self, ref):
        if ref.endswith("?"):
            return "nil"
        if ref.startswith("["):
            return "[]"
        if ref.startswith("{"):
            return "[:]"
        if ref in SCALARS:
            return SCALARS[ref][1]
        if self.is_enum(ref):
            return '""'
        return f"{ref}()"

    def element(self, ref):
        """A JSONElement for one array element or map value."""
        if ref.endswith("?"):
            return f"JSONElement<{self.swift(ref)}>.optional({self.element(ref[:-1])})"
        if ref.startswith("["):
            return f"JSONElement<{self.swift(ref)}>.array(of: {self.element(ref[1:-1])})"
        if ref.startswith("{string:"):
            return f"JSONElement<{self.swift(ref)}>.map(of: {self.element(ref[len('{string:'):-1])})"
        if self.is_enum(ref):
            return "JSONElement<String>.string"
        if ref in SCALARS:
            kind = {"float64": "double"}.get(ref, ref)
            return f"JSONElement<{self.swift(ref)}>.{kind}"
        return f"JSONElement<{ref}>.payload"

    def read(self, ref, key):
        k = json.dumps(key)
        return f"try json.field({k}, {self.element(ref)})"

    def encode(self, ref, value):
        """A JSONValue expression for `value`."""
        if ref.endswith("?"):
            return f"{value}.map {{ {self.encode(ref[:-1], '$0')} }} ?? .null"
        if ref.startswith("["):
            return f".array({value}.map {{ {self.encode(ref[1:-1], '$0')} }})"
        if ref.startswith("{string:"):
            return f".map({value}.mapValues {{ {self.encode(ref[len('{string:'):-1], '$0')} }})"
        if ref in SCALARS:
            return SCALARS[ref][3].format(value)
        if self.is_enum(ref):
            return f".string({value})"
        return f"{value}.jsonValue"


def struct_source(name, definition, types, extra_doc=None, function=None):
    ht = HostTypes(types)
    lines = doc_lines(definition.get("doc"))
    if extra_doc:
        lines += (["///"] if lines else []) + doc_lines(extra_doc)
    if "enum" in definition:
        lines.append(f"package enum {name}: String, Sendable, CaseIterable {{")
        for case in definition["enum"]:
            lines.append(f"    case {ident(case)}")
        lines.append("}")
        return "\n".join(lines) + "\n"
    fields = definition.get("fields", [])
    lines.append(f"package struct {name}: {'HostFunctionPayload' if function else 'NavidromePayload'} {{")
    if function:
        lines.append(f"    /// The host function this payload belongs to.")
        lines.append(f"    package static let function = {json.dumps(function)}")
        lines.append("")
    head, views = members(fields, "package", ht, "rawValue", "nil for a value this host does not know")
    lines += head
    lines.append("")
    lines.append("    package init(json: JSONRequest) throws(JSONRequestError) {")
    if fields:
        args = ", ".join(f"{ident(f['json'])}: {ht.read(f['type'], f['json'])}" for f in fields)
        lines.append(f"        self.init({args})")
    lines.append("    }")
    lines += views
    lines.append("")
    lines.append("    package var jsonValue: JSONValue {")
    lines.append(f"        {'var' if fields else 'let'} json = GoStruct()")
    for f in fields:
        # Go's omitempty leaves out false, 0, "", nil and empty slices and maps; never a struct.
        omit = f.get("omitempty", False) and not ht.is_struct(f["type"])
        value = ht.encode(f["type"], "self." + f["json"])
        lines.append(f"        json.set({json.dumps(f['json'])}, {value}{', omitEmpty: true' if omit else ''})")
    lines.append("        return json.value")
    lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def shared_source(shared):
    out = [header("types.json"), "import TonearmJSON", ""]
    for name, definition in shared.items():
        out.append(struct_source(name, definition, shared))
    return "\n".join(out)


def capability_source(cap, shared):
    types = dict(shared)
    types.update(cap.get("types", {}))
    out = [header(cap["_file"]), "import TonearmJSON", ""]
    out += doc_lines(cap.get("doc"))
    out.append("///")
    out.append(f"/// Defined by Navidrome in {cap.get('navidrome', 'its plugin API')}.")
    out.append(f"package enum {cap['name']}Capability {{")
    out.append(f"    package static let name = {json.dumps(cap['name'])}")
    for e in cap["exports"]:
        out += doc_lines(e.get("doc"), "    ")
        out.append(f"    package static let {e['method']} = {json.dumps(e['name'])}")
    out.append(f"    /// Every export of the capability; a plugin has the capability when it exports any of them.")
    out.append(f"    package static let exports = [{', '.join(e['method'] for e in cap['exports'])}]")
    errors = cap.get("errors") or []
    for err in errors:
        out += doc_lines(err.get("doc"), "    ")
        out.append(f"    package static let {err['name']}Error = {json.dumps(err['text'])}")
    out.append("}")
    for name, definition in cap.get("types", {}).items():
        out.append("")
        out.append(struct_source(name, definition, types).rstrip("\n"))
    return "\n".join(out) + "\n"


def service_source(svc, shared):
    types = dict(shared)
    types.update(svc.get("types", {}))
    out = [header(svc["_file"]), "import TonearmJSON", ""]
    for fn in svc["functions"]:
        prefix = svc["name"] + upper_first(fn["method"])
        out.append(struct_source(f"{prefix}Request", {"fields": fn.get("params", [])}, types,
                                 extra_doc=f"The request of `{fn['name']}`: {fn.get('doc', '')}", function=fn["name"]))
        results = fn.get("results", [])
        out.append(struct_source(f"{prefix}Response", {"fields": results}, types,
                                 extra_doc=f"The response of `{fn['name']}` (an `error` member is added on failure).",
                                 function=fn["name"]))
    for name, definition in svc.get("types", {}).items():
        out.append(struct_source(name, definition, types))
    return "\n".join(out)


def catalog_source(capabilities, services):
    out = [header("capabilities/*.json, ABI/host/*.json"), ""]
    out.append("/// Navidrome's host functions (module `extism:host/user`) and the manifest permission each")
    out.append("/// needs (nil: none).")
    out.append("package enum NavidromeHostFunctions {")
    out.append("    package static let all: [(name: String, service: String, permission: String?)] = [")
    for svc in services:
        permission = json.dumps(svc["permission"]) if svc.get("permission") else "nil"
        for fn in svc["functions"]:
            out.append(f"        ({json.dumps(fn['name'])}, {json.dumps(svc['name'])}, {permission}),")
    out.append("    ]")
    out.append("}")
    out.append("")
    out.append("/// Navidrome's capabilities and their exports.")
    out.append("package enum NavidromeCapabilities {")
    out.append("    package static let all: [(name: String, exports: [String])] = [")
    for cap in capabilities:
        out.append(f"        ({cap['name']}Capability.name, {cap['name']}Capability.exports),")
    out.append("    ]")
    out.append("}")
    return "\n".join(out) + "\n"


def files(shared, capabilities, services):
    out = {os.path.join(HOST_OUT, "SharedTypes.swift"): shared_source(shared),
           os.path.join(HOST_OUT, "Catalog.swift"): catalog_source(capabilities, services)}
    for cap in capabilities:
        out[os.path.join(HOST_OUT, "Capabilities", cap["name"] + ".swift")] = capability_source(cap, shared)
    for svc in services:
        out[os.path.join(HOST_OUT, "Host", svc["name"] + ".swift")] = service_source(svc, shared)
    return out
