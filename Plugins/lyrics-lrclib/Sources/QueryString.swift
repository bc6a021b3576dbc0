import NavidromePDK

/// Builds a URL query string (`name=value&…`), percent-encoding every value.
struct QueryString {
    private(set) var text = ""

    /// Appends `name=value`, with `value` percent-encoded (names are plain ASCII literals).
    mutating func add(_ name: String, _ value: String) {
        if !text.utf8.isEmpty { text += "&" }
        text += name + "=" + URLText.percentEncoded(value)
    }
}
