import TonearmJSON

/// A Go struct written member by member, in declaration order; `omitEmpty` is Go's `omitempty`
/// (false, 0, "", nil and empty slices and maps are left out).
package struct GoStruct: Sendable {
    private var members = JSONObject()

    package init() {}

    package mutating func set(_ key: String, _ value: JSONValue, omitEmpty: Bool = false) {
        if omitEmpty && value.isGoEmpty { return }
        members[key] = value
    }

    package var value: JSONValue { .object(members) }
}
