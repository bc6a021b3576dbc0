import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts a checked `.ndp` into the plugins folder (`tonearm plugin install`, the console's
/// uploads): copied to a temporary name in that folder, then renamed over `<fileName>`, so the
/// folder's watcher never sees half a package and a replaced plugin is swapped at once.
public enum PackageInstaller {
    /// Installs the package at `source` as `folder/fileName`; returns that path.
    public static func install(_ source: String, as fileName: String, into folder: String) throws(PackageInstallError) -> String {
        let target = (folder as NSString).appendingPathComponent(fileName)
        let temporary = (folder as NSString).appendingPathComponent(".\(fileName).installing")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            throw PackageInstallError(description: "cannot copy the package into \(folder): \(error.localizedDescription)")
        }
        guard rename(temporary, target) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw PackageInstallError(description: "cannot move the package to \(target)")
        }
        return target
    }
}

/// Why a package could not be put into the plugins folder.
public struct PackageInstallError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
