/// How one array element or object member value converts between JSON and Swift: used for
/// Go slices and maps of scalars (`[]int32`, `map[string][]byte`) in generated payloads.
///
/// ```swift
/// let ids = try json.list("ids", JSONElement<Int32>.int32)
/// request.set("ids", list: ids, JSONElement<Int32>.int32)
/// ```
public struct JSONElement<Element> {
    /// Reads one value; `path` names it in errors (e.g. `ids[2]`).
    public let decode: (JSONValue, String) throws(JSONError) -> Element
    public let encode: (Element) -> JSONValue

    public init(decode: @escaping (JSONValue, String) throws(JSONError) -> Element,
                encode: @escaping (Element) -> JSONValue) {
        self.decode = decode
        self.encode = encode
    }

    @inline(never)
    static func mismatch(_ path: String, _ expected: StaticString, _ found: JSONValue) -> JSONError {
        JSONError.mismatch("field '\(path)': expected \(expected), found \(found.kindName)")
    }
}

extension JSONElement where Element == String {
    public static var string: JSONElement<String> {
        JSONElement(decode: { (v, path) throws(JSONError) -> String in
            guard case .string(let s) = v else { throw mismatch(path, "string", v) }
            return s
        }, encode: { .string($0) })
    }
}

extension JSONElement where Element == Bool {
    public static var bool: JSONElement<Bool> {
        JSONElement(decode: { (v, path) throws(JSONError) -> Bool in
            guard case .bool(let b) = v else { throw mismatch(path, "boolean", v) }
            return b
        }, encode: { .bool($0) })
    }
}

extension JSONElement where Element == Int64 {
    public static var int64: JSONElement<Int64> {
        JSONElement(decode: { (v, path) throws(JSONError) -> Int64 in
            guard let i = v.int64Value else { throw mismatch(path, "integer", v) }
            return i
        }, encode: { .int($0) })
    }
}

extension JSONElement where Element == Int32 {
    public static var int32: JSONElement<Int32> {
        JSONElement(decode: { (v, path) throws(JSONError) -> Int32 in
            guard let i = v.int64Value else { throw mismatch(path, "integer", v) }
            guard i >= Int64(Int32.min) && i <= Int64(Int32.max) else {
                throw JSONError.mismatch("field '\(path)': \(i) does not fit in 32 bits")
            }
            return Int32(i)
        }, encode: { .int(Int64($0)) })
    }
}

extension JSONElement where Element == Double {
    public static var double: JSONElement<Double> {
        JSONElement(decode: { (v, path) throws(JSONError) -> Double in
            guard let d = v.doubleValue else { throw mismatch(path, "number", v) }
            return d
        }, encode: { .double($0) })
    }
}

extension JSONElement where Element == [UInt8] {
    /// Go `[]byte`: standard base64 text.
    public static var bytes: JSONElement<[UInt8]> {
        JSONElement(decode: { (v, path) throws(JSONError) -> [UInt8] in
            guard case .string(let s) = v else { throw mismatch(path, "base64 string", v) }
            do throws(JSONError) {
                return try Base64.decode(s)
            } catch {
                throw JSONError(.invalidBase64, at: -1, "field '\(path)': \(error.message)")
            }
        }, encode: { .string(Base64.encode($0)) })
    }
}

extension JSONElement where Element == JSONValue {
    /// Any JSON value, kept as it is.
    public static var any: JSONElement<JSONValue> {
        JSONElement(decode: { (v, _) throws(JSONError) -> JSONValue in v }, encode: { $0 })
    }
}

extension JSONElement where Element: JSONDecodable & JSONEncodable {
    /// A nested object (a Go struct).
    public static var object: JSONElement<Element> {
        JSONElement(decode: { (v, path) throws(JSONError) -> Element in
            guard case .object(let o) = v else { throw mismatch(path, "object", v) }
            return try Element(json: JSONObjectReader(o, path: path))
        }, encode: { $0.jsonValue })
    }
}

extension JSONObjectReader {
    /// An array whose elements convert with `element` (missing or `null` is empty, as in Go).
    @inline(never)
    public func list<T>(_ key: String, _ element: JSONElement<T>) throws(JSONError) -> [T] {
        let items = try elements(key)
        var result: [T] = []
        result.reserveCapacity(items.count)
        for i in 0..<items.count {
            result.append(try element.decode(items[i], fieldPath(key, index: i)))
        }
        return result
    }

    /// An object read as key–value pairs in document order (a Go map).
    @inline(never)
    public func pairs<T>(_ key: String, _ element: JSONElement<T>) throws(JSONError) -> [(key: String, value: T)] {
        guard let reader = try optionalObject(key) else { return [] }
        var result: [(key: String, value: T)] = []
        for member in reader.object.members {
            result.append((member.key, try element.decode(member.value, reader.fieldPath(member.key))))
        }
        return result
    }
}

extension JSONObjectWriter {
    /// An array whose elements convert with `element`.
    public mutating func set<T>(_ key: String, list values: [T], _ element: JSONElement<T>, omitEmpty: Bool = false) {
        if omitEmpty && values.isEmpty { return }
        set(key, .array(values.map(element.encode)))
    }

    /// Key–value pairs as an object, in the given order (a Go map).
    public mutating func set<T>(_ key: String, pairs: [(key: String, value: T)], _ element: JSONElement<T>,
                                omitEmpty: Bool = false) {
        if omitEmpty && pairs.isEmpty { return }
        set(key, .object(JSONObject(pairs.map { ($0.key, element.encode($0.value)) })))
    }
}

extension JSONElement {
    /// An array of `element`s.
    public static func array<Item>(of element: JSONElement<Item>) -> JSONElement<[Item]> {
        JSONElement<[Item]>(decode: { (v, path) throws(JSONError) -> [Item] in
            guard case .array(let items) = v else { throw JSONElement<[Item]>.mismatch(path, "array", v) }
            var result: [Item] = []
            result.reserveCapacity(items.count)
            for i in 0..<items.count { result.append(try element.decode(items[i], path + "[\(i)]")) }
            return result
        }, encode: { .array($0.map(element.encode)) })
    }

    /// `element` or `null` (a Go pointer).
    public static func optional<Item>(_ element: JSONElement<Item>) -> JSONElement<Item?> {
        JSONElement<Item?>(decode: { (v, path) throws(JSONError) -> Item? in
            v.isNull ? nil : try element.decode(v, path)
        }, encode: { $0.map(element.encode) ?? .null })
    }
}
