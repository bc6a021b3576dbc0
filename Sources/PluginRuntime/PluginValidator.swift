import ExtismKernel
import Foundation
import WasmKit

/// Everything `tonearm plugin validate` finds wrong with a package, in one go.
public struct PluginValidation: Sendable {
    public var pluginID: String
    public var file: String
    /// Problems that stop the plugin from loading (in Navidrome and in Tonearm).
    public var errors: [String] = []
    /// What Navidrome's published manifest schema would reject, though Navidrome loads it.
    public var warnings: [String] = []
    public var manifest: PluginManifest?
    public var capabilities: [PluginCapability] = []
    public var exports: [String] = []

    public var isValid: Bool { errors.isEmpty }
}

extension PluginLoader {
    /// Checks the package at `path` without loading it: archive, manifest (every problem),
    /// module validity, imports against the kernel, WASI and Navidrome's services and the
    /// declared permissions, capability rules, instantiation, and the `[PluginSettings.<id>]`
    /// of the configuration against the config schema.
    public func validate(path: String) -> PluginValidation {
        let id: String
        do {
            id = try PluginPackage.pluginID(forFile: path)
        } catch {
            return PluginValidation(pluginID: error.pluginID, file: path, errors: [error.reason])
        }
        var result = PluginValidation(pluginID: id, file: path)
        let entries: (manifest: Result<[UInt8], PluginLoadError>, wasm: Result<[UInt8], PluginLoadError>)
        do {
            entries = try PluginPackage.entries(at: path, id: id)
        } catch {
            result.errors.append(error.reason)
            return result
        }
        switch entries.manifest {
        case .failure(let error): result.errors.append(error.reason)
        case .success(let bytes):
            do {
                let manifest = try PluginManifest(json: bytes, file: path)
                result.manifest = manifest
                result.warnings = manifest.schemaWarnings
            } catch {
                result.errors += error.problems.map { "manifest.json: \($0)" }
            }
        }
        guard case .success(let wasm) = entries.wasm else {
            if case .failure(let error) = entries.wasm { result.errors.append(error.reason) }
            return result
        }
        let permissions = result.manifest?.permissions ?? PluginPermissions()
        let compiled: CompiledPlugin
        do {
            compiled = try CompiledPlugin(
                id: id, file: path, wasm: wasm, hostFunctionNames: [], services: services,
                declared: permissions.declared, engine: engine, acceptCatalogFunctions: true)
        } catch {
            result.errors.append(error.reason)
            return result
        }
        result.capabilities = compiled.capabilities
        result.exports = compiled.exports.filter { !$0.hasPrefix("__tonearm_") }.sorted()
        guard let manifest = result.manifest else { return result }
        if let violation = PluginCapability.violation(permissions: permissions, capabilities: compiled.capabilities) {
            result.errors.append(violation)
        }
        var config: [String: String] = [:]
        if let schema = manifest.configSchema, let settings = configuration.pluginSettings[id] {
            do {
                config = ConfigSchema.flatten(try schema.validate(settings))
            } catch {
                result.errors += error.problems.map { "PluginSettings.\(id).\($0)" }
            }
        }
        // Instantiate once (data segments, start function, guest init) with inert host functions.
        var inert: [String: HostFunction] = [:]
        for case .host(let name) in compiled.imports {
            inert[name] = { _ in Array(#"{"error":"not available during validation"}"#.utf8) }
        }
        do {
            _ = try PluginInstance(
                compiled: compiled, engine: engine, config: config, hostFunctions: inert, limits: limits, storageFolder: nil,
                logSink: { _, _ in })
        } catch let timeout as InitializationTimeout {
            result.errors.append(timeout.description)
        } catch {
            result.errors.append("cannot instantiate plugin.wasm: \(error)")
        }
        return result
    }
}
