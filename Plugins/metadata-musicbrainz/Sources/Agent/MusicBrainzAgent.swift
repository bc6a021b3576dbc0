import NavidromePDK

/// A Navidrome metadata agent backed by open data: MusicBrainz for identities and links, the
/// Cover Art Archive for album covers, and Wikipedia (found through MusicBrainz's Wikipedia or
/// Wikidata links) for artist biographies, artist images and album descriptions.
///
/// Every method answers nil ("not found", Navidrome asks the next agent) when the sources have
/// nothing; failures of a source (network errors, 5xx, rate limiting) are errors.
struct MusicBrainzAgent: MetadataAgent {
    func getArtistMBID(_ request: ArtistMBIDRequest) throws(PluginError) -> ArtistMBIDResponse? {
        let context = AgentContext()
        guard let mbid = try context.musicBrainz.artistMBID(named: request.name) else { return nil }
        return ArtistMBIDResponse(mbid: mbid)
    }

    /// The artist's official homepage, else its MusicBrainz page.
    func getArtistURL(_ request: ArtistRequest) throws(PluginError) -> ArtistURLResponse? {
        let context = AgentContext()
        guard let artist = try context.artist(for: request) else { return nil }
        let links = ExternalLinks(relations: artist.relations, language: context.settings.language)
        return ArtistURLResponse(url: links.homepage ?? context.musicBrainz.page("artist", artist.id))
    }

    /// The introduction of the artist's Wikipedia article.
    func getArtistBiography(_ request: ArtistRequest) throws(PluginError) -> ArtistBiographyResponse? {
        let context = AgentContext()
        guard let summary = try context.artistSummary(for: request), !summary.extract.utf8.isEmpty else { return nil }
        return ArtistBiographyResponse(biography: summary.extract)
    }

    /// The lead image of the artist's Wikipedia article (original size and thumbnail).
    func getArtistImages(_ request: ArtistRequest) throws(PluginError) -> ArtistImagesResponse? {
        let context = AgentContext()
        guard let images = try context.artistSummary(for: request)?.images, !images.isEmpty else { return nil }
        return ArtistImagesResponse(images: images)
    }

    /// The release's title and MusicBrainz page, with its release group's Wikipedia
    /// introduction as description when there is one.
    func getAlbumInfo(_ request: AlbumRequest) throws(PluginError) -> AlbumInfoResponse? {
        let context = AgentContext()
        guard let release = try context.musicBrainz.release(for: request) else { return nil }
        var description = ""
        if let group = try context.musicBrainz.releaseGroup(release.releaseGroupID) {
            let links = ExternalLinks(relations: group.relations, language: context.settings.language)
            description = try context.wikipedia.summary(for: links)?.extract ?? ""
        }
        return AlbumInfoResponse(name: release.title, mbid: release.id, description: description,
                                 url: context.musicBrainz.page("release", release.id))
    }

    /// The release's front cover from the Cover Art Archive, else its release group's.
    func getAlbumImages(_ request: AlbumRequest) throws(PluginError) -> AlbumImagesResponse? {
        let context = AgentContext()
        var release: ReleaseSummary? = nil
        var mbid = request.mbid
        if mbid.utf8.isEmpty {
            release = try context.musicBrainz.findRelease(title: request.name, artist: request.artist)
            guard let found = release else { return nil }
            mbid = found.id
        }
        let covers = try context.coverArt.frontCover("release", mbid)
        if !covers.isEmpty { return AlbumImagesResponse(images: covers) }
        if release == nil { release = try context.musicBrainz.release(mbid) }
        guard let group = release?.releaseGroupID, !group.utf8.isEmpty else { return nil }
        let groupCovers = try context.coverArt.frontCover("release-group", group)
        return groupCovers.isEmpty ? nil : AlbumImagesResponse(images: groupCovers)
    }
}

/// The clients one call uses, over the configuration read for that call.
struct AgentContext {
    let settings: AgentSettings
    let musicBrainz: MusicBrainzClient
    let wikipedia: WikipediaClient
    let coverArt: CoverArtClient

    init(settings: AgentSettings = AgentSettings.load()) {
        let web = WebClient(settings: settings)
        self.settings = settings
        musicBrainz = MusicBrainzClient(web: web)
        wikipedia = WikipediaClient(web: web)
        coverArt = CoverArtClient(web: web)
    }

    /// The artist with its links: by the MBID Navidrome knows, else searched by name.
    func artist(for request: ArtistRequest) throws(PluginError) -> LinkedEntity? {
        var mbid = request.mbid
        if mbid.utf8.isEmpty { mbid = try musicBrainz.artistMBID(named: request.name) ?? "" }
        return try musicBrainz.artist(mbid)
    }

    /// The summary of the artist's Wikipedia article.
    func artistSummary(for request: ArtistRequest) throws(PluginError) -> WikipediaSummary? {
        guard let artist = try artist(for: request) else { return nil }
        return try wikipedia.summary(for: ExternalLinks(relations: artist.relations, language: settings.language))
    }
}
