import Foundation

/// Checks that files holding secrets are private to their owner.
enum FilePrivacy {
    /// A warning when the file at `path` can be read by its group or by others (it names the
    /// file and the fix, never its contents); nil when it is private or cannot be examined.
    /// - Parameter holding: what the file holds, for the message ("passwords and tokens").
    static func warning(for path: String, holding: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? NSNumber
        else { return nil }
        let mode = permissions.uint16Value & 0o777
        guard mode & 0o044 != 0 else { return nil }
        let who = mode & 0o004 != 0 ? "every user of this machine" : "its group"
        return "\(path) holds \(holding) and can be read by \(who) (mode \(String(mode, radix: 8))): run chmod 600 \(path)"
    }
}
