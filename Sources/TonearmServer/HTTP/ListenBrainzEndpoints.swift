import Feeds
import Foundation
import Hummingbird
import Logging

extension TonearmDaemon {
    /// The ListenBrainz-compatible API: `POST /1/submit-listens` and `GET /1/validate-token`.
    /// Navidrome reaches it with `ListenBrainz.BaseURL = "http://<tonearm>/1/"`.
    ///
    /// The receiver checks the token, the client's limits and the `Content-Length` before the
    /// body is read (`ListenBrainzReceiver.submitListens`); requests without a valid token are
    /// counted against the remote address when the request context knows it.
    func addListenBrainzEndpoints<Context: RequestContext>(to router: Router<Context>, receiver: ListenBrainzReceiver) {
        router.post("1/submit-listens") { request, context in
            let reply = await receiver.submitListens(
                authorization: request.headers[.authorization],
                remoteAddress: (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress,
                declaredLength: request.headers[.contentLength].flatMap { Int($0) }
            ) { limit in
                Data(try await request.body.collect(upTo: limit).readableBytesView)
            }
            if reply.status == 200, let username = reply.events.first?.username {
                self.console.feedActivity.submissionAccepted(from: username)
            } else if reply.status != 200 {
                self.console.feedActivity.submissionRefused()
            }
            do {
                // Listens are journaled (fsync'd) before the 200: an acknowledged listen is safe.
                try await self.receive(reply.events, clientWaits: true)
            } catch {
                return JSONResponse.make(
                    status: .serviceUnavailable, ["code": "503", "error": "Listens could not be stored; try again later."])
            }
            return Self.response(reply)
        }
        router.get("1/validate-token") { request, context in
            Self.response(
                receiver.validateToken(
                    authorization: request.headers[.authorization], token: request.uri.queryParameters.get("token"),
                    remoteAddress: (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress))
        }
    }

    private static func response(_ reply: ListenBrainzReceiver.Reply) -> Response {
        var response = JSONResponse.make(status: .init(code: reply.status), bytes: reply.body)
        for (name, value) in reply.headers {
            if let field = HTTPFields.Element.Name(name) { response.headers[field] = value }
        }
        return response
    }
}
