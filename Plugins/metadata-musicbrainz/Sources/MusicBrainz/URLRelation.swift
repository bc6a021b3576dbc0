import NavidromePDK

/// One URL relationship of a MusicBrainz entity (`inc=url-rels`): `{"type": "wikidata",
/// "target-type": "url", "ended": false, "url": {"resource": "https://www.wikidata.org/wiki/Q…"}}`.
struct URLRelation {
    /// Relationship type: `official homepage`, `wikidata`, `wikipedia`, `discogs`, …
    var type: String
    /// The linked URL (empty for relations to other kinds of entity).
    var resource: String
    /// True when the relationship no longer holds (e.g. a former homepage).
    var ended: Bool
}

extension URLRelation: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        try self.init(type: json.string("type"), resource: json.optionalObject("url")?.string("resource") ?? "",
                      ended: json.bool("ended"))
    }
}

/// A MusicBrainz artist or release group looked up with its URL relationships.
struct LinkedEntity {
    /// The entity's MBID.
    var id: String
    /// Artist name, or release-group title.
    var name: String
    /// Its URL relationships, in MusicBrainz's order.
    var relations: [URLRelation]
}

extension LinkedEntity: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        let name = try json.string("name")
        try self.init(id: json.string("id"), name: name.utf8.isEmpty ? json.string("title") : name,
                      relations: json.array("relations", of: URLRelation.self))
    }
}

/// The links of an entity this agent uses, picked from its URL relationships (current ones
/// before ended ones).
struct ExternalLinks {
    /// The official homepage.
    var homepage: String?
    /// Title of the entity's article in the configured Wikipedia language (decoded, spaces or
    /// underscores as MusicBrainz stored them).
    var wikipediaTitle: String?
    /// Wikidata item ID (`Q…`).
    var wikidataID: String?

    init(relations: [URLRelation], language: String) {
        let ordered = relations.filter { !$0.ended } + relations.filter { $0.ended }
        let wikiHost = language + ".wikipedia.org/wiki/"
        for relation in ordered where !relation.resource.utf8.isEmpty {
            if relation.type.hasSameUTF8(as: "official homepage") {
                if homepage == nil { homepage = relation.resource }
            } else if relation.type.hasSameUTF8(as: "wikidata") {
                let id = TextBytes.lastPathComponent(relation.resource)
                if wikidataID == nil, !id.utf8.isEmpty { wikidataID = id }
            } else if relation.type.hasSameUTF8(as: "wikipedia"), wikipediaTitle == nil {
                let title = TextBytes.dropPrefix("https://" + wikiHost, from: relation.resource)
                    ?? TextBytes.dropPrefix("http://" + wikiHost, from: relation.resource)
                if let title, !title.utf8.isEmpty { wikipediaTitle = TextBytes.percentDecoded(title) }
            }
        }
    }
}
