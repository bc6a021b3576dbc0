/// Input of `nd_on_init` (Navidrome sends `{}`).
public struct InitRequest: JSONDecodable {
    public init() {}
    public init(json: JSONObjectReader) throws(JSONError) {}
}
