extension String {
    /// Byte-wise equality of the UTF-8 encodings: unlike `==` it needs no Unicode
    /// normalisation tables (which would add ~90 KB to a plugin). Lengths are compared first,
    /// which settles most key lookups at once.
    @inline(never)
    public func hasSameUTF8(as other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        return a.count == b.count && a.elementsEqual(b)
    }
}
