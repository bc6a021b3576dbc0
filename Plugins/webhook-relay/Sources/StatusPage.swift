import NavidromePDK

/// The plugin's HTTP endpoint (`/ext/webhook-relay/`): the status page.
///
/// - `GET` or `HEAD` of the base URL (path `""`, or `"/"`): the status, as HTML, or as JSON when
///   the query has `format=json` or the `Accept` header names `application/json`.
/// - Another method there: 405 with `Allow: GET, HEAD`.
/// - Any other path: 404.
///
/// Totals cover every user; per-user rows and the last delivery and failure are limited to the
/// caller's own events unless the caller is an admin. Navidrome (auth `subsonic`) lets only
/// users assigned to the plugin in, and answers 401/403 itself otherwise.
enum StatusPage {
    static func respond(to request: HTTPHandleRequest) -> HTTPHandleResponse {
        guard request.path.utf8.isEmpty || request.path.hasSameUTF8(as: "/") else {
            return plain(404, "not found\n")
        }
        let isGet = request.method.hasSameUTF8(as: "GET")
        let isHead = request.method.hasSameUTF8(as: "HEAD")
        guard isGet || isHead else {
            var response = plain(405, "method not allowed\n")
            response.headers.append((key: "Allow", value: ["GET, HEAD"]))
            return response
        }
        let status: RelayStatus
        do {
            status = try RelayStatus.load(viewer: request.user)
        } catch {
            Log.error("status page: \(error.text)")
            return plain(500, "status unavailable\n")
        }
        let json = wantsJSON(request)
        var response = HTTPHandleResponse(status: 200, headers: [
            (key: "Content-Type", value: [json ? "application/json" : "text/html; charset=utf-8"]),
            (key: "Cache-Control", value: ["no-store"]),
        ])
        if isGet {
            response.body = json ? status.jsonValue.serialized() : Array(status.html.utf8)
        }
        return response
    }

    static func wantsJSON(_ request: HTTPHandleRequest) -> Bool {
        for parameter in request.query.utf8.split(separator: UInt8(ascii: "&")) {
            if Array(parameter) == Array("format=json".utf8) { return true }
        }
        for (name, values) in request.headers where Text.equalIgnoringCase(name, "Accept") {
            for value in values where Text.containsIgnoringCase(value, "application/json") { return true }
        }
        return false
    }

    static func plain(_ status: Int32, _ text: String) -> HTTPHandleResponse {
        HTTPHandleResponse(status: status, headers: [(key: "Content-Type", value: ["text/plain; charset=utf-8"])], body: Array(text.utf8))
    }
}
