/// Why JSON could not be parsed or mapped. `offset` is the byte offset in the input where the
/// problem was found (parse errors); mapping errors carry the member path instead.
public struct JSONError: Error, Equatable {
    public enum Kind: Equatable, Sendable {
        case unexpectedEnd
        case unexpectedByte
        case invalidEscape
        case invalidUnicode
        case invalidNumber
        case numberOutOfRange
        case tooDeep
        case trailingData
        case typeMismatch
        case invalidBase64
    }

    /// The fields live behind one reference, so a thrown error is a single word: every
    /// `try` in the PDK checks and forwards one pointer instead of copying five words.
    final class Storage: Sendable {
        let kind: Kind
        let offset: Int
        let message: String

        init(kind: Kind, offset: Int, message: String) {
            self.kind = kind
            self.offset = offset
            self.message = message
        }
    }

    var storage: Storage

    public var kind: Kind {
        get { storage.kind }
        set { storage = Storage(kind: newValue, offset: offset, message: message) }
    }

    /// Byte offset of the problem in the parsed input, or -1 for mapping errors.
    public var offset: Int {
        get { storage.offset }
        set { storage = Storage(kind: kind, offset: newValue, message: message) }
    }

    /// A sentence naming the problem, including the offset or member path.
    public var message: String {
        get { storage.message }
        set { storage = Storage(kind: kind, offset: offset, message: newValue) }
    }

    public init(_ kind: Kind, at offset: Int, _ detail: String) {
        storage = Storage(kind: kind, offset: offset,
                          message: offset >= 0 ? "invalid JSON at byte \(offset): \(detail)" : detail)
    }

    /// A parse error at byte `offset`, optionally naming the byte found there.
    @inline(never)
    static func at(_ kind: Kind, _ offset: Int, _ text: StaticString, found: UInt8? = nil) -> JSONError {
        var detail = text.description
        if let b = found {
            if b >= 0x21 && b < 0x7F {
                detail += ", found '" + String(decoding: [b], as: UTF8.self) + "'"
            } else {
                let hex = JSONSerializer.hexDigits.utf8Start
                detail += ", found byte 0x" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0xF)]], as: UTF8.self)
            }
        }
        return JSONError(kind, at: offset, detail)
    }

    /// A mapping error (the JSON was valid but did not have the expected shape).
    public static func mismatch(_ detail: String) -> JSONError {
        JSONError(.typeMismatch, at: -1, detail)
    }

    public static func == (a: JSONError, b: JSONError) -> Bool {
        a.kind == b.kind && a.offset == b.offset && a.message.hasSameUTF8(as: b.message)
    }
}
