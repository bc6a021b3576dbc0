import NavidromePDK

/// Reads cover listings from the Cover Art Archive.
struct CoverArtClient {
    static let source = "Cover Art Archive"
    let web: WebClient

    /// The front cover of a release (`kind` `release`) or release group (`release-group`),
    /// or empty when there is none.
    func frontCover(_ kind: String, _ mbid: String) throws(PluginError) -> [ImageInfo] {
        guard !mbid.utf8.isEmpty else { return [] }
        let url = web.settings.coverArtURL + "/" + kind + "/" + URLText.percentEncoded(mbid)
        guard let body = try web.get(url, source: Self.source) else { return [] }
        return try decodeDocument(CoverArtListing.self, body, source: Self.source).frontImages
    }
}
