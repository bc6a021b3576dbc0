import Foundation

/// An `application/x-www-form-urlencoded` body as name/value pairs in the order sent.
package enum FormBody {
    /// The largest form body the console reads.
    package static let maxBytes = 256 * 1024

    package static func decode(_ bytes: some Sequence<UInt8>) -> [(name: String, value: String)] {
        let text = String(decoding: Array(bytes), as: UTF8.self)
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decodeComponent(parts[0]), parts.count > 1 ? decodeComponent(parts[1]) : "")
        }
    }

    /// The first value named `name`.
    package static func value(_ name: String, in form: [(name: String, value: String)]) -> String? {
        form.first { $0.name == name }?.value
    }

    private static func decodeComponent(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
