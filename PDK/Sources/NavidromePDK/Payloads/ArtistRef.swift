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
        id = try json.string("id")
        name = try json.string("name")
        mbid = try json.string("mbid")
        sortName = try json.string("sortName")
        role = try json.string("role")
        subRole = try json.string("subRole")
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
