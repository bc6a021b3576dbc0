import Console
import Foundation
import Hummingbird
import Logging
import PluginRuntime

extension TonearmDaemon {
    /// Installing and removing plugins in the console. An `.ndp` is uploaded
    /// (`POST /api/console/uploads`, the file as the body, its name in `X-Plugin-File`), checked
    /// and shown — manifest, permissions with their reasons, and how they change when it replaces
    /// an installed plugin — then installed only when the operator confirms. A removed plugin's
    /// file is moved to `<DataFolder>/removed-plugins/`, its data kept.
    func addConsolePluginInstallEndpoints(to router: Router<TonearmRequestContext>) {
        router.console(.post, "api/console/uploads") { request, _ in
            _ = try self.apiSession(request, operatorOnly: true, write: true)
            guard let name = request.headers[.init("X-Plugin-File")!], !name.isEmpty else {
                return JSONResponse.error(.badRequest, "name the file in X-Plugin-File")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: PluginUploads.maxBytes)
            } catch {
                return JSONResponse.error(.contentTooLarge, "a plugin upload may be at most \(PluginUploads.maxBytes >> 20) MiB")
            }
            do {
                let upload = try await self.console.uploads.stage(body.readableBytesView, fileName: name, manager: self.pluginManager)
                return JSONResponse.make(UploadAnswer(token: upload.token, plugin: upload.pluginID, valid: upload.validation.isValid,
                                                      errors: upload.validation.errors, review: "/uploads/\(upload.token)"))
            } catch {
                return JSONResponse.error(.badRequest, "\(error)")
            }
        }
        router.console(.get, "uploads/:token") { request, context in
            let session = try self.pageSession(request, operatorOnly: true)
            guard let upload = self.console.uploads.upload(context.parameters.get("token") ?? "") else {
                return Self.page("This upload is gone (uploads are kept for an hour).", status: .notFound)
            }
            return Self.page(self.uploadPage(session, upload))
        }
        router.console(.post, "uploads/:token/:action") { request, context in
            let (session, _) = try await self.pageForm(request, operatorOnly: true)
            let token = context.parameters.get("token") ?? ""
            switch context.parameters.get("action") {
            case "discard":
                self.console.uploads.discard(token)
                return Self.redirect("/plugins")
            case "install":
                do {
                    let upload = try self.console.uploads.install(token, pluginsFolder: self.configuration.plugins.pluginsFolder)
                    self.logger.notice("console: plugin installed", metadata: ["plugin": "\(upload.pluginID)"])
                    await self.pluginManager.rescan()
                    let state = self.pluginManager.status(of: upload.pluginID)?.state.rawValue ?? "not found"
                    return Self.redirect("/plugins?done=\(Self.queryValue("\(upload.pluginID) installed, now \(state)"))")
                } catch {
                    return Self.page(self.pluginsPage(session, message: nil, error: "\(error)"), status: .badRequest)
                }
            default:
                return Self.page("Unknown action.", status: .notFound)
            }
        }
        router.console(.get, "plugins/:id/remove") { request, context in
            let session = try self.pageSession(request, operatorOnly: true)
            let id = context.parameters.get("id") ?? ""
            guard let status = self.pluginManager.status(of: id) else { return Self.page("No plugin \"\(HTMLText.escape(id))\".", status: .notFound) }
            var page = self.layoutContext(session, title: "Remove \(id)", nav: "Plugins")
            page.merge(self.pluginContext(status, csrf: session.csrfToken)) { _, new in new }
            page["removedFolder"] = Self.removedPluginsFolder(dataFolder: self.configuration.plugins.dataFolder)
            return Self.page(self.console.pages.render("remove", page))
        }
        // Registered by name: the router would not fall back to `plugins/:id/:action` here.
        router.console(.post, "plugins/:id/remove") { request, context in
            try await self.pluginActionPage(request, id: context.parameters.get("id") ?? "", action: "remove")
        }
    }

    struct UploadAnswer: Encodable {
        var token: String
        var plugin: String
        var valid: Bool
        var errors: [String]
        /// The page that shows the package before it is installed.
        var review: String
    }

    func uploadPage(_ session: ConsoleSession, _ upload: PluginUploads.Upload) -> String {
        var page = layoutContext(session, title: "Install \(upload.pluginID)", nav: "Plugins")
        let manifest = upload.validation.manifest
        page["token"] = upload.token
        page["id"] = upload.pluginID
        page["displayName"] = manifest?.name ?? upload.pluginID
        page["version"] = manifest?.version ?? ""
        page["author"] = manifest?.author ?? ""
        page["description"] = manifest?.description ?? ""
        page["capabilities"] = upload.validation.capabilities.map(\.rawValue).joined(separator: ", ")
        page["permissions"] = (manifest?.permissions.declared.sorted() ?? []).map { name -> [String: Any] in
            ["name": name, "reason": manifest?.permissions.reasons[name] ?? ""]
        }
        page["errors"] = upload.validation.errors
        page["warnings"] = upload.validation.warnings
        page["valid"] = upload.validation.isValid
        page["needsUsers"] = upload.replacement == nil && manifest?.permissions.declares("users") == true
        if let replacement = upload.replacement {
            page["replaces"] = true
            page["changes"] = replacement.lines
            page["widens"] = replacement.widensAccess
        }
        return console.pages.render("upload", page)
    }

    /// Moves plugin `id`'s file out of the plugins folder (into `<DataFolder>/removed-plugins/`)
    /// and unloads it.
    func removePlugin(_ id: String) async throws -> String {
        guard let status = pluginManager.status(of: id) else { throw ConsoleUploadError("no plugin \"\(id)\"") }
        let folder = Self.removedPluginsFolder(dataFolder: configuration.plugins.dataFolder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let target = (folder as NSString).appendingPathComponent("\(id)-\(stamp).ndp")
        try FileManager.default.moveItem(atPath: status.file, toPath: target)
        await pluginManager.rescan()
        return target
    }

    static func removedPluginsFolder(dataFolder: String) -> String {
        (dataFolder as NSString).appendingPathComponent("removed-plugins")
    }

    /// `text` for a URL query value.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}
