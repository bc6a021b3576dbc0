extension HTTPResponse {
    /// The first header named `name` (ASCII case-insensitive; Go's canonical names such as
    /// `Content-Type` are how the host sends them).
    public func header(_ name: String) -> String? {
        for h in headers where asciiCaseInsensitiveEqual(h.key, name) { return h.value }
        return nil
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8) { x, y in
        let lx = x >= 0x41 && x <= 0x5A ? x + 32 : x
        let ly = y >= 0x41 && y <= 0x5A ? y + 32 : y
        return lx == ly
    }
}
