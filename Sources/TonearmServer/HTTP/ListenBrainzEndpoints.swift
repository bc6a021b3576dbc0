import Feeds
import Foundation
import Hummingbird

extension TonearmDaemon {
    /// The ListenBrainz-compatible API: `POST /1/submit-listens` and `GET /1/validate-token`.
    /// Navidrome reaches it with `ListenBrainz.BaseURL = "http://<tonearm>/1/"`.
    func addListenBrainzEndpoints(to router: Router<BasicRequestContext>, receiver: ListenBrainzReceiver) {
        router.post("1/submit-listens") { request, _ in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.maxListenBrainzBody)
            } catch {
                return JSONResponse.make(
                    status: .contentTooLarge,
                    ["code": "413", "error": "Payload too large: at most \(Self.maxListenBrainzBody) bytes."])
            }
            let reply = receiver.submitListens(
                authorization: request.headers[.authorization], body: Data(body.readableBytesView))
            for event in reply.events {
                self.userDirectory.noteSeen(event.username)
                self.dispatcher.submit(event)
            }
            return JSONResponse.make(status: .init(code: reply.status), bytes: reply.body)
        }
        router.get("1/validate-token") { request, _ in
            let reply = receiver.validateToken(
                authorization: request.headers[.authorization], token: request.uri.queryParameters.get("token"))
            return JSONResponse.make(status: .init(code: reply.status), bytes: reply.body)
        }
    }

    /// ListenBrainz accepts up to 1,000 listens of 10 KB each per request.
    static let maxListenBrainzBody = ListenBrainzReceiver.maxListensPerRequest * ListenBrainzReceiver.maxListenSize + 65_536
}
