/// The members of a JSON object, in order: document order for parsed text, declaration order
/// for objects the host builds (Go writes struct fields in declaration order). Keys are unique:
/// setting a key that is present replaces its value in place (a parsed object with a repeated
/// key keeps the last value, as Go's decoder does).
///
/// Two objects are equal when they have the same members, in any order (JSON's meaning).
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    public typealias Element = (key: String, value: JSONValue)

    private var keyList: [String] = []
    private var valueList: [JSONValue] = []
    /// Where each key is in the lists.
    private var positions: [String: Int] = [:]

    public init() {}

    /// Members in the given order; a repeated key keeps its first position and its last value.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        for (key, value) in members { self[key] = value }
    }

    /// The members of a dictionary, sorted by key (a dictionary has no order of its own).
    public init(_ dictionary: [String: JSONValue]) {
        self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// Members as `(key, value)` pairs, in order.
    public init(arrayLiteral elements: (String, JSONValue)...) { self.init(elements) }

    /// The value of `key`; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { valueList[$0] } }
        set {
            if let index = positions[key] {
                if let newValue {
                    valueList[index] = newValue
                } else {
                    keyList.remove(at: index)
                    valueList.remove(at: index)
                    positions = Dictionary(uniqueKeysWithValues: keyList.enumerated().map { ($1, $0) })
                }
            } else if let newValue {
                positions[key] = keyList.count
                keyList.append(key)
                valueList.append(newValue)
            }
        }
    }

    public var keys: [String] { keyList }
    public var count: Int { keyList.count }
    public var isEmpty: Bool { keyList.isEmpty }

    /// The members as a dictionary (order dropped).
    public var dictionary: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: zip(keyList, valueList))
    }

    public func makeIterator() -> some IteratorProtocol<Element> {
        zip(keyList, valueList).lazy.map { (key: $0.0, value: $0.1) }.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.count == rhs.count && zip(lhs.keyList, lhs.valueList).allSatisfy { rhs[$0.0] == $0.1 }
    }

    public func hash(into hasher: inout Hasher) {
        // Independent of member order, as equality is.
        hasher.combine(count)
        var combined = 0
        for (key, value) in zip(keyList, valueList) {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            combined ^= member.finalize()
        }
        hasher.combine(combined)
    }
}
