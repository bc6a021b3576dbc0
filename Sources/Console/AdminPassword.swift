import Crypto
import Foundation
import _CryptoExtras

/// The console's admin password, stored as a salted PBKDF2-HMAC-SHA256 hash in one line:
/// `pbkdf2-sha256$<rounds>$<salt, base64>$<hash, base64>` (what `tonearm admin set-password`
/// writes to `<DataFolder>/console-password`).
package struct AdminPassword: Sendable, Equatable {
    package static let scheme = "pbkdf2-sha256"
    /// Rounds for new hashes (OWASP's figure for PBKDF2-HMAC-SHA256).
    package static let defaultRounds = 600_000
    /// The most rounds a stored hash may ask for (so a hostile file cannot stall sign-in).
    package static let maxRounds = 10_000_000
    /// The shortest password accepted.
    package static let minimumLength = 8

    package let rounds: Int
    package let salt: [UInt8]
    package let hash: [UInt8]

    /// Hashes `password` with a new random salt.
    package init(hashing password: String, rounds: Int = AdminPassword.defaultRounds) throws(AdminPasswordError) {
        guard password.count >= Self.minimumLength else {
            throw AdminPasswordError("the password must be at least \(Self.minimumLength) characters long")
        }
        guard (1...Self.maxRounds).contains(rounds) else { throw AdminPasswordError("rounds must be 1…\(Self.maxRounds)") }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.rounds = rounds
        self.salt = salt
        self.hash = try Self.derive(password, salt: salt, rounds: rounds)
    }

    /// Reads a stored line; the error names what is wrong with it.
    package init(stored line: String) throws(AdminPasswordError) {
        let parts = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme else {
            throw AdminPasswordError("not a \(Self.scheme)$rounds$salt$hash line")
        }
        guard let rounds = Int(parts[1]), (1...Self.maxRounds).contains(rounds) else {
            throw AdminPasswordError("the rounds must be a whole number from 1 to \(Self.maxRounds)")
        }
        guard let salt = Data(base64Encoded: String(parts[2])), salt.count >= 8, salt.count <= 64,
            let hash = Data(base64Encoded: String(parts[3])), hash.count == 32
        else { throw AdminPasswordError("the salt or hash is not valid base64 of the right length") }
        self.rounds = rounds
        self.salt = Array(salt)
        self.hash = Array(hash)
    }

    /// The line to store.
    package var stored: String {
        "\(Self.scheme)$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` is this password (compared in constant time).
    package func matches(_ password: String) -> Bool {
        guard let candidate = try? Self.derive(password, salt: salt, rounds: rounds) else { return false }
        return ConstantTime.equal(candidate, hash)
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws(AdminPasswordError) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw AdminPasswordError("could not derive the hash: \(error)")
        }
    }
}

/// Why an admin password could not be set or read.
package struct AdminPasswordError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// Comparison in time independent of where two byte strings differ.
package enum ConstantTime {
    package static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
