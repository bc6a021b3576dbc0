extension String {
    /// Byte-wise equality of the UTF-8 encodings: fast, and unlike `==` it needs no Unicode
    /// normalisation tables (which would add ~90 KB to a plugin).
    @inline(never)
    public func hasSameUTF8(as other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        let contiguous = a.withContiguousStorageIfAvailable { pa in
            b.withContiguousStorageIfAvailable { pb in
                var i = 0
                while i < pa.count {
                    if pa[i] != pb[i] { return false }
                    i += 1
                }
                return true
            }
        }
        if let result = contiguous ?? nil { return result }
        return a.elementsEqual(b)
    }
}
