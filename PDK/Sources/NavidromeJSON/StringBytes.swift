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
        return a.withUTF8 { x in b.withUTF8 { y in x.hasSameBytes(as: y) } }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether `other` holds the same bytes: a plain loop, for comparing parts of UTF-8 text
    /// (a prefix, a key inside a larger buffer) without making `String`s of them.
    public func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        var i = 0
        while i < count {
            if self[i] != other[i] { return false }
            i += 1
        }
        return true
    }
}
