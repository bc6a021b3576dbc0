/// An artist reference in track metadata (Navidrome `types.ArtistRef`).
public struct ArtistRef: JSONDecodable, JSONEncodable {
    public var id: String
    public var name: String
    /// MusicBrainz artist id.
    public var mbid: String
    public var sortName: String
    public var role: String
    public var subRole: String

    public init(id: String = "", name: String, mbid: String = "", sortName: String = "", role: String = "", subRole: String = "") {
        self.id = id
        self.name = name
        self.mbid = mbid
        self.sortName = sortName
        self.role = role
        self.subRole = subRole
    }

    public init(json: JSONObjectReader) throws(JSONError) {
        try self.init(id: json.string("id"), name: json.string("name"), mbid: json.string("mbid"),
                      sortName: json.string("sortName"), role: json.string("role"), subRole: json.string("subRole"))
    }

    public func encode(to json: inout JSONObjectWriter) {
        json.set("id", id, omitEmpty: true)
        json.set("name", name)
        json.set("mbid", mbid, omitEmpty: true)
        json.set("sortName", sortName, omitEmpty: true)
        json.set("role", role, omitEmpty: true)
        json.set("subRole", subRole, omitEmpty: true)
    }
}
