@_spi(Fuzzing) import WasmKit
import ExtismKernel

/// A plugin's module, parsed and checked once per load: every import resolved against the
/// kernel, WASI and the host functions the manifest's permissions unlock; capabilities
/// detected from the exports.
final class CompiledPlugin: Sendable {
    let id: String
    let module: Module
    /// Export names of the module's mutable globals (see ``SnapshotExports``).
    let globalNames: [String]
    let hasMemory: Bool
    /// The least memory instances start with, 64 KiB pages (0: as the module declares).
    let minimumMemoryPages: UInt64
    /// Exported function names.
    let exports: Set<String>
    let capabilities: [PluginCapability]
    /// `_initialize` or `__wasm_call_ctors`, run once per instance before its snapshot.
    let initializer: String?
    let imports: [ResolvedImport]

    enum ResolvedImport: Sendable {
        case kernel(name: String)
        case wasi(name: String, type: FunctionType)
        case host(name: String)
    }

    /// Parses `wasm` and resolves its imports; `hostFunctionNames` are the functions the
    /// plugin's permissions grant, `services` all known services (to name a missing permission).
    ///
    /// With `acceptCatalogFunctions` (validation only), any import of a known Navidrome service
    /// whose permission is declared is accepted, whether or not this host provides it.
    init(
        id: String, file: String, wasm: [UInt8], hostFunctionNames: Set<String>, services: [any HostService],
        declared: Set<String>, engine: Engine, acceptCatalogFunctions: Bool = false, minimumMemoryPages: UInt64 = 0
    ) throws(PluginLoadError) {
        func fail(_ reason: String) -> PluginLoadError { PluginLoadError(pluginID: id, file: file, reason: reason) }
        self.id = id
        let rewritten: SnapshotExports.Result
        let module: Module
        do {
            rewritten = try SnapshotExports.rewrite(wasm, minimumMemoryPages: minimumMemoryPages)
            module = try parseWasm(bytes: rewritten.bytes, features: engine.configuration.features)
        } catch {
            throw fail("plugin.wasm is not a valid WebAssembly module (\(error))")
        }
        self.module = module
        globalNames = rewritten.globalNames
        hasMemory = rewritten.hasMemory
        self.minimumMemoryPages = minimumMemoryPages

        var resolved: [ResolvedImport] = []
        var unknown: [String] = []
        let probe = Store(engine: engine)
        for entry in module.imports {
            let qualified = "\(entry.module).\(entry.name)"
            guard case .function(let typeIndex) = entry.descriptor, let type = module.functionType(at: typeIndex) else {
                throw fail("imports \(qualified), which is not a function; plugins may import only functions")
            }
            switch entry.module {
            case ExtismKernel.moduleName:
                guard let expected = ExtismKernel.functionTypes[entry.name] else {
                    throw fail("imports unknown kernel function \(qualified)")
                }
                guard expected == type else {
                    throw fail("imports \(qualified) with signature \(Self.describe(type)); the kernel's is \(Self.describe(expected))")
                }
                resolved.append(.kernel(name: entry.name))
            case WASIPreview1.moduleName:
                guard WASIPreview1.function(named: entry.name, type: type, store: probe) != nil else {
                    throw fail("imports \(qualified) with an unsupported signature \(Self.describe(type))")
                }
                resolved.append(.wasi(name: entry.name, type: type))
            case "extism:host/user":
                if hostFunctionNames.contains(entry.name) {
                    let expected = FunctionType(parameters: [.i64], results: [.i64])
                    guard type == expected else {
                        throw fail("imports \(qualified) with signature \(Self.describe(type)); host functions are (i64) -> i64")
                    }
                    resolved.append(.host(name: entry.name))
                    continue
                }
                let prefix = HostServiceCatalog.prefix(of: entry.name)
                let permission: String?? = services.first(where: { $0.functionPrefix == prefix }).map(\.permission)
                    ?? HostServiceCatalog.permissions[prefix]
                if case .some(.some(let permission)) = permission, !declared.contains(permission) {
                    throw fail("imports \(entry.name) but the manifest does not declare the \"\(permission)\" permission")
                }
                if acceptCatalogFunctions && HostServiceCatalog.functions.contains(entry.name) {
                    resolved.append(.host(name: entry.name))
                    continue
                }
                if permission != nil && !services.contains(where: { $0.functionPrefix == prefix }) {
                    throw fail("imports \(entry.name), but this host provides no \"\(prefix)\" service")
                }
                unknown.append(entry.name)
            default:
                throw fail("imports \(qualified) from unknown module \"\(entry.module)\"")
            }
        }
        guard unknown.isEmpty else {
            throw fail("imports unknown host function(s) from extism:host/user: \(unknown.joined(separator: ", "))")
        }
        imports = resolved

        var exported: Set<String> = []
        for export in module.exports {
            if case .function = export.descriptor { exported.insert(export.name) }
        }
        exports = exported
        capabilities = PluginCapability.allCases.filter { $0.exports.contains(where: exported.contains) }
        initializer = ["_initialize", "__wasm_call_ctors"].first(where: exported.contains)
    }

    static func describe(_ type: FunctionType) -> String {
        func list(_ types: [ValueType]) -> String { "(" + types.map { "\($0)" }.joined(separator: ", ") + ")" }
        return "\(list(type.parameters)) -> \(list(type.results))"
    }
}
