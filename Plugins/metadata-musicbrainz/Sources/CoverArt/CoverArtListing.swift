import NavidromePDK

/// One image of a Cover Art Archive listing: `{"front": true, "image": url, "thumbnails":
/// {"250": url, "500": url, "1200": url, "small": url, "large": url}, …}`.
struct CoverArtImage {
    /// True for the image chosen as the release's front cover.
    var front: Bool
    /// The original image.
    var image: String
    /// Thumbnail URLs by size name (`250`, `500`, `1200`; older listings: `small`, `large`).
    var thumbnails: [(key: String, value: String)]

    /// The image at each thumbnail size Navidrome can choose from, largest first; the original
    /// (size 0, unknown) only when there are no thumbnails.
    var imageInfos: [ImageInfo] {
        var out: [ImageInfo] = []
        for (name, fallback, size) in [("1200", "", Int32(1200)), ("500", "large", Int32(500)), ("250", "small", Int32(250))] {
            if let url = thumbnail(name) ?? thumbnail(fallback) { out.append(ImageInfo(url: secured(url), size: size)) }
        }
        if out.isEmpty, !image.utf8.isEmpty { out.append(ImageInfo(url: secured(image), size: 0)) }
        return out
    }

    private func thumbnail(_ name: String) -> String? {
        guard !name.utf8.isEmpty else { return nil }
        for t in thumbnails where t.key.hasSameUTF8(as: name) && !t.value.utf8.isEmpty { return t.value }
        return nil
    }

    /// The Cover Art Archive lists `http://coverartarchive.org/…` URLs; it serves them over
    /// HTTPS too, which browsers showing Navidrome over HTTPS require.
    private func secured(_ url: String) -> String {
        if let rest = TextBytes.dropPrefix("http://coverartarchive.org/", from: url) { return "https://coverartarchive.org/" + rest }
        return url
    }
}

extension CoverArtImage: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        try self.init(front: json.bool("front"), image: json.string("image"), thumbnails: json.stringPairs("thumbnails"))
    }
}

/// A Cover Art Archive listing (`GET /release/{mbid}` or `/release-group/{mbid}`):
/// `{"images": […], "release": "https://musicbrainz.org/release/…"}`.
struct CoverArtListing: JSONDecodable {
    var images: [CoverArtImage]

    init(json: JSONObjectReader) throws(JSONError) {
        images = try json.array("images", of: CoverArtImage.self)
    }

    /// The front cover's sizes, or empty when no image is marked as the front.
    var frontImages: [ImageInfo] {
        for image in images where image.front { return image.imageInfos }
        return []
    }
}
