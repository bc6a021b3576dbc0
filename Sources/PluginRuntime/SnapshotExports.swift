import WasmParser

/// Rewrites a module's export section so that the host can snapshot and restore an instance:
/// every mutable global defined by the module, and its memory, become exports under reserved
/// names. The plugin's code is untouched; only the export section changes.
enum SnapshotExports {
    /// Export name of the module's memory.
    static let memoryName = "__tonearm_memory"
    /// Export-name prefix of the module's mutable globals (`__tonearm_global_<index>`).
    static let globalPrefix = "__tonearm_global_"

    /// The rewritten module and the export names of its mutable globals.
    struct Result {
        var bytes: [UInt8]
        var globalNames: [String]
        var hasMemory: Bool
    }

    /// `minimumMemoryPages` raises the declared minimum of the module's own memory (never past
    /// its maximum), so instances start with that much memory (see
    /// ``LoadedPlugin``: a plugin whose calls grow memory gets instances that need not grow).
    static func rewrite(_ bytes: [UInt8], minimumMemoryPages: UInt64 = 0) throws -> Result {
        var importedGlobals = 0
        var importedMemories = 0
        var definedMemories = 0
        var mutableGlobals: [Int] = []
        var parser = Parser(bytes: bytes)
        while let payload = try parser.parseNext() {
            switch payload {
            case .importSection(let imports):
                for entry in imports {
                    switch entry.descriptor {
                    case .global: importedGlobals += 1
                    case .memory: importedMemories += 1
                    default: break
                    }
                }
            case .memorySection(let memories): definedMemories = memories.count
            case .globalSection(let globals):
                for (offset, global) in globals.enumerated() where global.type.mutability == .variable {
                    mutableGlobals.append(importedGlobals + offset)
                }
            default: break
            }
        }
        let hasMemory = importedMemories + definedMemories > 0
        var extra: [UInt8] = []
        var extraCount = 0
        if hasMemory {
            appendName(memoryName, to: &extra)
            extra.append(0x02)  // memory
            appendLEB(0, to: &extra)
            extraCount += 1
        }
        var names: [String] = []
        for index in mutableGlobals {
            let name = globalPrefix + String(index)
            appendName(name, to: &extra)
            extra.append(0x03)  // global
            appendLEB(UInt64(index), to: &extra)
            names.append(name)
            extraCount += 1
        }
        guard extraCount > 0 else { return Result(bytes: bytes, globalNames: [], hasMemory: false) }
        let raiseMemory = minimumMemoryPages > 0 && definedMemories == 1 && importedMemories == 0

        var output = Array(bytes[0..<8])
        var position = 8
        var wroteExports = false
        while position < bytes.count {
            let id = bytes[position]
            var cursor = position + 1
            let size = Int(try readLEB(bytes, &cursor))
            let contentStart = cursor
            let end = contentStart + size
            guard end <= bytes.count else { throw SnapshotExportsError.truncated }
            if id == 5 && raiseMemory {
                appendSection(5, try raisedMemorySection(bytes[contentStart..<end], to: minimumMemoryPages), to: &output)
            } else if id == 7 {
                var inner = contentStart
                let count = try readLEB(bytes, &inner)
                var content: [UInt8] = []
                appendLEB(count + UInt64(extraCount), to: &content)
                content += bytes[inner..<end]
                content += extra
                appendSection(7, content, to: &output)
                wroteExports = true
            } else {
                // The export section goes before start (8), element (9), data count (12), code (10), data (11).
                if !wroteExports && [8, 9, 10, 11, 12].contains(id) {
                    var content: [UInt8] = []
                    appendLEB(UInt64(extraCount), to: &content)
                    content += extra
                    appendSection(7, content, to: &output)
                    wroteExports = true
                }
                output += bytes[position..<end]
            }
            position = end
        }
        if !wroteExports {
            var content: [UInt8] = []
            appendLEB(UInt64(extraCount), to: &content)
            content += extra
            appendSection(7, content, to: &output)
        }
        return Result(bytes: output, globalNames: names, hasMemory: hasMemory)
    }

    /// A memory section with one plain (32-bit, unshared) memory whose minimum is at least
    /// `pages`; other layouts are returned unchanged.
    private static func raisedMemorySection(_ content: ArraySlice<UInt8>, to pages: UInt64) throws -> [UInt8] {
        let bytes = Array(content)
        var cursor = 0
        guard try readLEB(bytes, &cursor) == 1, cursor < bytes.count else { return bytes }
        let flags = bytes[cursor]
        guard flags == 0 || flags == 1 else { return bytes }
        cursor += 1
        let minimum = try readLEB(bytes, &cursor)
        var raised = max(minimum, pages)
        if flags == 1 {
            var maxCursor = cursor
            raised = min(raised, try readLEB(bytes, &maxCursor))
        }
        var output: [UInt8] = [1, flags]
        appendLEB(raised, to: &output)
        output += bytes[cursor...]
        return output
    }

    private static func appendSection(_ id: UInt8, _ content: [UInt8], to output: inout [UInt8]) {
        output.append(id)
        appendLEB(UInt64(content.count), to: &output)
        output += content
    }

    private static func appendName(_ name: String, to output: inout [UInt8]) {
        appendLEB(UInt64(name.utf8.count), to: &output)
        output += name.utf8
    }

    private static func appendLEB(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        repeat {
            var byte = UInt8(value & 0x7f)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            output.append(byte)
        } while value != 0
    }

    private static func readLEB(_ bytes: [UInt8], _ cursor: inout Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard cursor < bytes.count, shift < 64 else { throw SnapshotExportsError.truncated }
            let byte = bytes[cursor]
            cursor += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }
}

enum SnapshotExportsError: Error, CustomStringConvertible {
    case truncated

    var description: String { "the module's section layout is truncated" }
}
