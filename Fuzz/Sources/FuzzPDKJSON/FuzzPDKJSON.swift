// libFuzzer target: the PDK's JSON library (`PDK/Sources/NavidromeJSON`), which every plugin
// uses to read what the host and remote servers send: the strict parser, the lazy object
// reader, the serializer and base64.
//
// Invariants:
// - a document that parses serializes to text that parses back to an equal value;
// - the lazy reader accepts exactly the objects the parser accepts, with the same keys in
//   the same order and, for each key, the same value (the last of duplicates);
// - base64 decodes what it encodes.

import Foundation
import LibFuzzer
import NavidromeJSON

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    let parsed = try? JSONValue.parse(bytes)
    if let parsed {
        let text = parsed.serialized()
        guard let again = try? JSONValue.parse(text) else {
            fail("serialized form does not parse: \(String(decoding: text, as: UTF8.self))")
        }
        require(again == parsed, "round trip changed the value: \(String(decoding: text, as: UTF8.self))")
        // A shallower limit may refuse the document, but must not crash.
        _ = try? JSONValue.parse(bytes, maxDepth: 3)
    }

    let lazy = try? JSONLazyObject(bytes: bytes)
    switch (parsed, lazy) {
    case (.object(let object)?, let lazy?):
        let keys = lazy.keys
        require(keys.count == object.count, "lazy reader found \(keys.count) keys, parser \(object.count)")
        for (index, key) in keys.enumerated() {
            require(key.hasSameUTF8(as: object.members[index].key), "key \(index) differs")
            guard let value = try? lazy.value(key) else { fail("lazy value of \"\(key)\" does not parse") }
            require(value == object[key], "lazy value of \"\(key)\" differs")
            // Typed reads agree with the value or fail cleanly.
            if let text = try? lazy.string(key) { require(value == .string(text), "string of \"\(key)\" differs") }
            if let number = try? lazy.int64(key) { require(value.int64Value == number, "int64 of \"\(key)\" differs") }
            if let flag = try? lazy.bool(key) { require(value == .bool(flag), "bool of \"\(key)\" differs") }
            _ = try? lazy.object(key)?.keys
        }
    case (.object?, nil): fail("parser accepts an object the lazy reader refuses")
    case (_, .some): fail("lazy reader accepts what the parser refuses")
    default: break
    }

    let encoded = Base64.encode(bytes)
    guard let decoded = try? Base64.decode(encoded), decoded == bytes else { fail("base64 round trip failed") }
    _ = try? Base64.decode(String(decoding: bytes, as: UTF8.self))
    return 0
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fatalError("FuzzPDKJSON invariant: \(message)")
}
