import Hummingbird

extension TonearmDaemon {
    /// `GET /healthz`: 200 while the daemon runs.
    func addHealthEndpoints(to router: Router<TonearmRequestContext>) {
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
    }
}
