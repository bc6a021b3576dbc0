import Foundation

/// An IPv4 or IPv6 address, read from a host literal the way the system resolver reads it, and
/// classified for the private-network check of ``HostPolicy``.
package struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), in network order.
    let bytes: [UInt8]

    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses an IPv6 literal (brackets optional) or an IPv4 literal in any form `inet_aton`
    /// accepts: one to four dot-separated numbers, each decimal, octal (leading `0`) or
    /// hexadecimal (`0x`), the last filling the remaining bytes — `127.1`, `2130706433`,
    /// `0x7f.1` and `0177.0.0.1` are all 127.0.0.1. `nil` for anything else (a host name).
    package init?(literal text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.contains(":") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
            bytes = withUnsafeBytes(of: v6) { Array($0) }
            return
        }
        guard let v4 = Self.parseIPv4(text) else { return nil }
        bytes = v4
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt32] = []
        for part in parts {
            guard let value = parseNumber(part) else { return nil }
            values.append(value)
        }
        guard values.dropLast().allSatisfy({ $0 <= 255 }) else { return nil }
        // The last number fills the bytes the others left: 4 bytes after none, 1 after three.
        let lastBits = UInt32(8 * (5 - parts.count))
        let last = values[values.count - 1]
        if lastBits < 32, last >> lastBits != 0 { return nil }
        var address: UInt32 = last
        for (index, value) in values.dropLast().enumerated() { address |= value << UInt32(24 - 8 * index) }
        return [UInt8(address >> 24), UInt8((address >> 16) & 0xFF), UInt8((address >> 8) & 0xFF), UInt8(address & 0xFF)]
    }

    private static func parseNumber(_ part: Substring) -> UInt32? {
        var digits = part
        var radix = 10
        if part.hasPrefix("0x") || part.hasPrefix("0X") {
            digits = part.dropFirst(2)
            radix = 16
            if digits.isEmpty { return 0 }  // glibc reads a bare "0x" as zero
        } else if part.count > 1, part.hasPrefix("0") {
            digits = part.dropFirst()
            radix = 8
        }
        let allowed: (Character) -> Bool = switch radix {
        case 16: { $0.isHexDigit }
        case 8: { ("0"..."7").contains($0) }
        default: { ("0"..."9").contains($0) }
        }
        guard !digits.isEmpty, digits.allSatisfy(allowed) else { return nil }
        return UInt32(digits, radix: radix)
    }

    package var isIPv4: Bool { bytes.count == 4 }

    /// Whether the address is this machine's: 127.0.0.0/8, `::1`, or 127.0.0.0/8 mapped into
    /// IPv6 (`::ffff:127.0.0.1`).
    package var isLoopback: Bool {
        if isIPv4 { return bytes[0] == 127 }
        let zeroPrefix = bytes[0..<10].allSatisfy { $0 == 0 }
        if zeroPrefix, bytes[10] == 0xFF, bytes[11] == 0xFF { return bytes[12] == 127 }
        return bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
    }

    /// The canonical text: dotted decimal, or IPv6 as `inet_ntop` writes it (`::1`).
    package var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var v6 = in6_addr()
        withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Why a connection to this address could reach the host itself or its networks
    /// (`"loopback"`, `"private"`, …), or `nil` for a public unicast address.
    var nonPublicKind: String? {
        isIPv4 ? Self.classifyIPv4(bytes) : classifyIPv6()
    }

    private static func classifyIPv4(_ b: [UInt8]) -> String? {
        switch (b[0], b[1], b[2]) {
        case (0, _, _): "unspecified (0.0.0.0/8)"
        case (127, _, _): "loopback"
        case (10, _, _), (172, 16...31, _), (192, 168, _): "private"
        case (100, 64...127, _): "shared (carrier-grade NAT, 100.64.0.0/10)"
        case (169, 254, _): "link-local"
        case (192, 0, 0), (192, 0, 2), (198, 51, 100), (203, 0, 113), (198, 18...19, _): "reserved"
        case (224...239, _, _): "multicast"
        case (240...255, _, _): "reserved"
        default: nil
        }
    }

    private func classifyIPv6() -> String? {
        let b = bytes
        let zeroPrefix = b[0..<10].allSatisfy { $0 == 0 }
        if zeroPrefix, b[10] == 0xFF, b[11] == 0xFF {  // ::ffff:a.b.c.d
            return Self.classifyIPv4(Array(b[12..<16])).map { "IPv4-mapped \($0)" }
        }
        if zeroPrefix, b[10] == 0, b[11] == 0 {
            if b[12..<15].allSatisfy({ $0 == 0 }) && b[15] <= 1 { return b[15] == 0 ? "unspecified" : "loopback" }
            // ::a.b.c.d (IPv4-compatible, deprecated)
            return Self.classifyIPv4(Array(b[12..<16])).map { "IPv4-compatible \($0)" }
        }
        if b[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {  // 64:ff9b::/96 (NAT64)
            return Self.classifyIPv4(Array(b[12..<16])).map { "NAT64 \($0)" }
        }
        if b[0] == 0x20, b[1] == 0x02 {  // 2002::/16 (6to4)
            return Self.classifyIPv4(Array(b[2..<6])).map { "6to4 \($0)" }
        }
        if b[0] & 0xFE == 0xFC { return "unique-local" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return "link-local" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0xC0 { return "site-local" }
        if b[0] == 0xFF { return "multicast" }
        if b[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return "reserved" }  // documentation
        if b[0..<8] == [0x01, 0, 0, 0, 0, 0, 0, 0] { return "reserved" }  // discard-only
        return nil
    }
}
