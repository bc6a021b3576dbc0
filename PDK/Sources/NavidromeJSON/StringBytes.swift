extension String {
    /// Byte-wise equality of the UTF-8 encodings: unlike `==` it needs no Unicode
    /// normalisation tables (which would add ~90 KB to a plugin). Compares the contiguous
    /// UTF-8 storage directly, which keeps the standard library's generic index machinery out.
    @inline(never)
    public func hasSameUTF8(as other: String) -> Bool {
        // The lengths are stored: most unequal strings differ there, without a byte read.
        guard utf8.count == other.utf8.count else { return false }
        var a = self
        var b = other
        return a.withUTF8 { x in b.withUTF8 { y in bytesEqual(x, y) } }
    }
}

/// Whether two byte buffers hold the same bytes.
func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var i = 0
    while i < a.count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
