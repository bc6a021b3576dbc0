import Console
import Hummingbird
import PluginRuntime

extension TonearmDaemon {
    /// Operator endpoints, enabled only when `Server.AdminToken` is set; each needs
    /// `Authorization: Bearer <AdminToken>`:
    /// `POST /api/plugins/rescan`, `POST /api/plugins/<id>/enable`, `POST /api/plugins/<id>/disable`.
    func addOperatorEndpoints(to router: Router<TonearmRequestContext>) {
        guard !configuration.server.adminToken.isEmpty else { return }
        @Sendable func authorized(_ request: Request) -> Bool {
            self.carriesAdminToken(request.headers[.authorization])
        }
        router.post("api/plugins/rescan") { request, _ in
            guard authorized(request) else { return JSONResponse.error(.unauthorized, "operator token required") }
            await self.pluginManager.rescan()
            return JSONResponse.make(self.pluginManager.statuses())
        }
        router.post("api/plugins/:id/:action") { request, context in
            guard authorized(request) else { return JSONResponse.error(.unauthorized, "operator token required") }
            let id = context.parameters.get("id") ?? ""
            let action = context.parameters.get("action") ?? ""
            guard action == "enable" || action == "disable" else {
                return JSONResponse.error(.notFound, "unknown action \"\(action)\"; use enable or disable")
            }
            guard self.pluginManager.status(of: id) != nil else {
                return JSONResponse.error(.notFound, "no plugin \"\(id)\" in \(self.configuration.plugins.pluginsFolder)")
            }
            do {
                try await self.pluginManager.setEnabled(id, action == "enable")
            } catch {
                return JSONResponse.error(.internalServerError, "\(error)")
            }
            return JSONResponse.make(self.pluginManager.status(of: id))
        }
    }
}

extension TonearmDaemon {
    /// Whether `authorization` is `Bearer <Server.AdminToken>` (never true when no token is set).
    func carriesAdminToken(_ authorization: String?) -> Bool {
        let token = configuration.server.adminToken
        guard !token.isEmpty, let authorization else { return false }
        return ConstantTime.equal(Array(authorization.utf8), Array("Bearer \(token)".utf8))
    }
}
