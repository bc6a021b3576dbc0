import NavidromePDK

/// An image in a Wikipedia page summary: `{"source": url, "width": n, "height": n}`.
struct SummaryImage {
    var source: String
    var width: Int64
    var height: Int64

    /// The image as Navidrome wants it, sized by its longer side.
    var imageInfo: ImageInfo {
        ImageInfo(url: source, size: Int32(clamping: max(width, height)))
    }
}

extension SummaryImage: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        try self.init(source: json.string("source"), width: json.int64("width"), height: json.int64("height"))
    }
}

/// The members of a Wikipedia REST page summary (`GET /api/rest_v1/page/summary/{title}`)
/// this agent reads.
struct WikipediaSummary {
    /// `standard`, `disambiguation`, `no-extract`, …
    var type: String
    /// The first sentences of the article as plain text.
    var extract: String
    /// A thumbnail of the article's lead image.
    var thumbnail: SummaryImage?
    /// The lead image at its original size.
    var originalImage: SummaryImage?

    /// True for a page about the thing itself (not a disambiguation page).
    var isArticle: Bool { !type.hasSameUTF8(as: "disambiguation") }

    /// The lead image, largest first (empty when the article has none).
    var images: [ImageInfo] {
        var out: [ImageInfo] = []
        if let originalImage, !originalImage.source.utf8.isEmpty { out.append(originalImage.imageInfo) }
        if let thumbnail, !thumbnail.source.utf8.isEmpty, !(out.first?.url.hasSameUTF8(as: thumbnail.source) ?? false) {
            out.append(thumbnail.imageInfo)
        }
        return out
    }
}

extension WikipediaSummary: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        try self.init(type: json.string("type"), extract: json.string("extract"),
                      thumbnail: json.optionalDecode("thumbnail", as: SummaryImage.self),
                      originalImage: json.optionalDecode("originalimage", as: SummaryImage.self))
    }
}
