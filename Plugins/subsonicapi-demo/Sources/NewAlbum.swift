import NavidromePDK

/// One album of `getAlbumList2?type=newest`: the most recently added albums first.
struct NewAlbum {
    var id: String
    var name: String
    var artist: String
    /// Release year; 0 when the server does not know it.
    var year: Int64

    /// The albums of a `getAlbumList2` response (`albumList2.album`).
    static func albums(of response: JSONValue) -> [NewAlbum] {
        listItems(response["albumList2"]?["album"]).map { album in
            NewAlbum(
                id: album["id"]?.stringValue ?? "",
                name: album["name"]?.stringValue ?? "",
                artist: album["artist"]?.stringValue ?? "",
                year: album["year"]?.int64Value ?? 0)
        }
    }

    var jsonValue: JSONValue {
        var json = JSONObjectWriter()
        json.set("id", id)
        json.set("name", name)
        json.set("artist", artist)
        json.set("year", year, omitEmpty: true)
        return .object(json.object)
    }

    /// "Name (Artist, 1998)", or "Name (Artist)" without a year.
    var label: String {
        year > 0 ? "\(name) (\(artist), \(year))" : "\(name) (\(artist))"
    }
}
