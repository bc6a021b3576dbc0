import Feeds
import Foundation
import HostServices
import Hummingbird
import Logging

extension TonearmDaemon {
    /// `GET /artwork/<kind>/<id>?size=&exp=&sig=`: the signed links the Artwork host service
    /// hands out. The image comes from the upstream server's `getCoverArt`, fetched with the
    /// poller's account; the link itself carries no credentials.
    func addArtworkEndpoints(to router: Router<TonearmRequestContext>) {
        router.get("\(ArtworkLinkSigner.pathPrefix)/:kind/:id") { request, context in
            let kind = context.parameters.get("kind") ?? ""
            let id = (context.parameters.get("id") ?? "").removingPercentEncoding ?? ""
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            let link: ArtworkLink
            do throws(ArtworkLinkError) {
                link = try self.artworkSigner.verify(kind: kind, id: id, query: query)
            } catch {
                return JSONResponse.error(error == .expired ? .gone : .forbidden, "artwork link \(error)")
            }
            guard let client = self.subsonicClient, let credentials = self.pollerCredentials else {
                return JSONResponse.error(.notFound, "no upstream Subsonic server is configured")
            }
            func coverArt(_ id: String) async throws(SubsonicError) -> (contentType: String, body: Data)? {
                var parameters = [("id", id)]
                if link.size > 0 { parameters.append(("size", String(link.size))) }
                let response = try await client.get(endpoint: "getCoverArt", query: parameters, as: credentials)
                let contentType = response.contentType ?? "application/octet-stream"
                return response.status == 200 && contentType.hasPrefix("image/") ? (contentType, response.body) : nil
            }
            do {
                var image = try await coverArt(link.id)
                // A song without embedded art: servers such as Supysonic answer getCoverArt only
                // for its cover art id (the album folder's cover.jpg), which getSong names.
                if image == nil, link.kind == .track,
                    let other = try? await client.getSong(id: link.id, as: credentials).coverArtId, other != link.id
                {
                    image = try await coverArt(other)
                }
                guard let image else {
                    return JSONResponse.error(.notFound, "the music server has no artwork for \(link.kind.rawValue)-\(link.id)")
                }
                return Response(
                    status: .ok, headers: [.contentType: image.contentType, .cacheControl: "public, max-age=3600"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.body)))
            } catch {
                self.logger.warning("artwork fetch failed", metadata: ["id": "\(link.id)", "error": "\(error)"])
                return JSONResponse.error(.badGateway, "the music server did not answer")
            }
        }
    }
}
