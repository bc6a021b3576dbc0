/// Canned answers in the documented shapes of MusicBrainz (https://musicbrainz.org/doc/MusicBrainz_API),
/// the Cover Art Archive (https://musicbrainz.org/doc/Cover_Art_Archive/API), Wikidata's
/// `wbgetentities` and Wikipedia's REST page summary, trimmed to a few members each.
enum Fixtures {
    static let artistID = "10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8"
    static let releaseID = "6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11"
    static let groupID = "0b3a9c8e-1d2f-3e4a-8b5c-6d7e8f9a0b1c"

    static let artistSearch = #"""
    {"created":"2026-08-21T10:00:00.000Z","count":3,"offset":0,"artists":[
     {"id":"aaaaaaaa-0000-0000-0000-000000000001","type":"Group","score":100,"name":"Massive Attack Tribute","sort-name":"Massive Attack Tribute"},
     {"id":"10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8","type":"Group","score":98,"name":"Massive Attack","sort-name":"Massive Attack","country":"GB","disambiguation":""},
     {"id":"aaaaaaaa-0000-0000-0000-000000000002","type":"Person","score":60,"name":"Attack","sort-name":"Attack"}]}
    """#

    static let artist = #"""
    {"id":"10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8","name":"Massive Attack","sort-name":"Massive Attack","type":"Group","country":"GB",
     "life-span":{"begin":"1988","end":null,"ended":false},
     "relations":[
      {"type":"official homepage","type-id":"fe33d22f-c3b0-4d68-bd53-a856badf2b15","target-type":"url","direction":"forward","ended":true,"begin":null,"end":null,"attributes":[],"url":{"id":"u1","resource":"http://www.massiveattack.com/old/"}},
      {"type":"discogs","target-type":"url","ended":false,"url":{"id":"u2","resource":"https://www.discogs.com/artist/3906"}},
      {"type":"official homepage","target-type":"url","ended":false,"url":{"id":"u3","resource":"https://www.massiveattack.co.uk/"}},
      {"type":"wikidata","target-type":"url","ended":false,"url":{"id":"u4","resource":"https://www.wikidata.org/wiki/Q183145"}}]}
    """#

    static let artistWithoutLinks = #"""
    {"id":"10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8","name":"Massive Attack","relations":[]}
    """#

    static let artistWithWikipedia = #"""
    {"id":"10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8","name":"Björk","relations":[
      {"type":"wikipedia","target-type":"url","ended":false,"url":{"id":"w1","resource":"https://de.wikipedia.org/wiki/Bj%C3%B6rk"}},
      {"type":"wikipedia","target-type":"url","ended":false,"url":{"id":"w2","resource":"https://en.wikipedia.org/wiki/Bj%C3%B6rk_Gu%C3%B0mundsd%C3%B3ttir"}}]}
    """#

    static let sitelinks = #"""
    {"entities":{"Q183145":{"type":"item","id":"Q183145","sitelinks":{"enwiki":{"site":"enwiki","title":"Massive Attack","badges":[]}}}},"success":1}
    """#

    static let summary = #"""
    {"type":"standard","title":"Massive Attack","displaytitle":"Massive Attack","wikibase_item":"Q183145",
     "thumbnail":{"source":"https://upload.wikimedia.org/wikipedia/commons/thumb/a/ab/Massive_Attack.jpg/320px-Massive_Attack.jpg","width":320,"height":213},
     "originalimage":{"source":"https://upload.wikimedia.org/wikipedia/commons/a/ab/Massive_Attack.jpg","width":2048,"height":1365},
     "lang":"en","dir":"ltr","description":"English trip hop collective",
     "content_urls":{"desktop":{"page":"https://en.wikipedia.org/wiki/Massive_Attack"}},
     "extract":"Massive Attack are an English trip hop collective formed in 1988 in Bristol."}
    """#

    static let disambiguation = #"""
    {"type":"disambiguation","title":"Mezzanine","extract":"Mezzanine may refer to:"}
    """#

    static let release = #"""
    {"id":"6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11","title":"Mezzanine","status":"Official","date":"1998-04-20","country":"GB",
     "release-group":{"id":"0b3a9c8e-1d2f-3e4a-8b5c-6d7e8f9a0b1c","title":"Mezzanine","primary-type":"Album","secondary-types":[]}}
    """#

    static let releaseSearch = #"""
    {"created":"2026-08-21T10:00:00.000Z","count":2,"offset":0,"releases":[
     {"id":"bbbbbbbb-0000-0000-0000-000000000001","score":100,"title":"Mezzanine (Remastered)","release-group":{"id":"cccccccc-0000-0000-0000-000000000001","primary-type":"Album"}},
     {"id":"6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11","score":95,"title":"Mezzanine","release-group":{"id":"0b3a9c8e-1d2f-3e4a-8b5c-6d7e8f9a0b1c","primary-type":"Album"}}]}
    """#

    static let releaseGroup = #"""
    {"id":"0b3a9c8e-1d2f-3e4a-8b5c-6d7e8f9a0b1c","title":"Mezzanine","primary-type":"Album","relations":[
      {"type":"wikidata","target-type":"url","ended":false,"url":{"id":"u9","resource":"https://www.wikidata.org/wiki/Q1141862"}}]}
    """#

    static let albumSitelinks = #"""
    {"entities":{"Q1141862":{"type":"item","id":"Q1141862","sitelinks":{"enwiki":{"site":"enwiki","title":"Mezzanine (album)","badges":[]}}}},"success":1}
    """#

    static let albumSummary = #"""
    {"type":"standard","title":"Mezzanine (album)","extract":"Mezzanine is the third studio album by Massive Attack, released in 1998."}
    """#

    static let coverArt = #"""
    {"images":[
      {"approved":true,"back":true,"comment":"","edit":1,"front":false,"id":1,"image":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/1.jpg",
       "thumbnails":{"250":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/1-250.jpg","500":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/1-500.jpg"},"types":["Back"]},
      {"approved":true,"back":false,"comment":"","edit":2,"front":true,"id":2,"image":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/2.jpg",
       "thumbnails":{"1200":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/2-1200.jpg","250":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/2-250.jpg","500":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/2-500.jpg","large":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/2-500.jpg","small":"http://coverartarchive.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11/2-250.jpg"},"types":["Front"]}],
     "release":"https://musicbrainz.org/release/6f0a5a36-4b8b-4a2b-9f3e-2f5a1c6a0b11"}
    """#

    static let groupCoverArt = #"""
    {"images":[{"front":true,"image":"https://coverartarchive.org/release/dddddddd-0000-0000-0000-000000000001/9.jpg",
      "thumbnails":{"small":"https://coverartarchive.org/release/dddddddd-0000-0000-0000-000000000001/9-250.jpg","large":"https://coverartarchive.org/release/dddddddd-0000-0000-0000-000000000001/9-500.jpg"}}],
     "release":"https://musicbrainz.org/release/dddddddd-0000-0000-0000-000000000001"}
    """#

    static let notFound = #"{"error":"Not Found","help":"For usage, please see: https://musicbrainz.org/development/mmd"}"#
}
