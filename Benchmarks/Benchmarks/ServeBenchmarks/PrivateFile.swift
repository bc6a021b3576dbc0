import Foundation

/// Writes `text` to `file` readable by its owner only (mode 600), as serve expects of
/// `tonearm.toml` and of files holding tokens.
func writePrivately(_ text: String, to file: URL) throws {
    try text.write(to: file, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
}
