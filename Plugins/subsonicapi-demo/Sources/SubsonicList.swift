import NavidromePDK

/// The members of a Subsonic JSON list: an array, a lone object (one item), or nothing.
func listItems(_ value: JSONValue?) -> [JSONValue] {
    switch value {
    case .array(let items)?: return items.filter { $0.objectValue != nil }
    case .object(let item)?: return [.object(item)]
    default: return []
    }
}
