import NavidromePDK

/// Finds and reads the Wikipedia article MusicBrainz links an entity to: directly through a
/// `wikipedia` relationship in the configured language, or through its Wikidata item's sitelink
/// (`wbgetentities`), which is how most MusicBrainz entities link to Wikipedia today.
struct WikipediaClient {
    let web: WebClient
    var settings: AgentSettings { web.settings }

    /// The article's summary, or nil when the entity has no article in the configured language
    /// (or only a disambiguation page).
    func summary(for links: ExternalLinks) throws(PluginError) -> WikipediaSummary? {
        guard let title = try title(for: links) else { return nil }
        let url = settings.wikipediaURL + "/api/rest_v1/page/summary/" + URLText.percentEncoded(TextBytes.underscored(title))
        guard let body = try web.get(url, source: "Wikipedia") else { return nil }
        let summary = try decodeDocument(WikipediaSummary.self, body, source: "Wikipedia")
        return summary.isArticle ? summary : nil
    }

    /// The article title: from the `wikipedia` link, else from the Wikidata sitelink.
    func title(for links: ExternalLinks) throws(PluginError) -> String? {
        if let title = links.wikipediaTitle { return title }
        guard let item = links.wikidataID else { return nil }
        let site = TextBytes.underscored(settings.language) + "wiki"
        let url = settings.wikidataURL + "/w/api.php?action=wbgetentities&ids=" + URLText.percentEncoded(item)
            + "&props=sitelinks&sitefilter=" + URLText.percentEncoded(site) + "&format=json"
        guard let body = try web.get(url, source: "Wikidata") else { return nil }
        let title = try decodeDocument(WikidataSitelinks.self, body, source: "Wikidata").title(site: site)
        return title.flatMap { $0.utf8.isEmpty ? nil : $0 }
    }
}
