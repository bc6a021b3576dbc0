import NavidromePDK

/// A Wikidata `wbgetentities` answer with sitelinks:
/// `{"entities": {"Q…": {"sitelinks": {"enwiki": {"site": "enwiki", "title": "…"}}}}}`.
struct WikidataSitelinks: JSONDecodable {
    /// The entities' sitelink objects, in document order.
    var sitelinks: [JSONObjectReader]

    init(json: JSONObjectReader) throws(JSONError) {
        var found: [JSONObjectReader] = []
        if let entities = try json.optionalObject("entities") {
            for member in entities.object.members {
                guard case .object(let entity) = member.value else { continue }
                if let links = try JSONObjectReader(entity).optionalObject("sitelinks") { found.append(links) }
            }
        }
        sitelinks = found
    }

    /// The title of the first entity's page on `site`.
    func title(site: String) throws(PluginError) -> String? {
        do {
            for links in sitelinks {
                if let page = try links.optionalObject(site) { return try page.string("title") }
            }
            return nil
        } catch {
            throw PluginError("Wikidata sent an unreadable answer: " + error.message)
        }
    }
}
