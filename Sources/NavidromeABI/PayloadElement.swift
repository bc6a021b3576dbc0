import TonearmJSON

extension JSONElement where Value: NavidromePayload {
    /// A nested Go struct: missing or `null` is the zero struct.
    package static var payload: Self {
        Self { (value, path) throws(JSONRequestError) in
            guard let value else { return try Value(json: JSONRequest(JSONObject(), path: path)) }
            guard case .object(let object) = value else { throw wrongType(path, "an object") }
            return try Value(json: JSONRequest(object, path: path))
        }
    }
}
