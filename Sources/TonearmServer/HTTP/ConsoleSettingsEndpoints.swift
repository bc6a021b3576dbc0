import Console
import Foundation
import Hummingbird
import Logging
import PluginRuntime
import Synchronization
import TonearmJSON

extension TonearmDaemon {
    /// A plugin's page and its settings form (`POST /plugins/<id>/settings`): the form is
    /// generated from the manifest's config schema, validated by it, stored in
    /// `<DataFolder>/console-settings.json` (over tonearm.toml) and applied by reloading the
    /// plugin, without restarting serve.
    func addConsoleSettingsEndpoints(to router: Router<TonearmRequestContext>) {
        router.console(.get, "plugins/:id") { request, context in
            let session = try self.pageSession(request, operatorOnly: true)
            let id = context.parameters.get("id") ?? ""
            guard let page = self.pluginPage(session, id: id, message: request.uri.queryParameters.get("done"), form: nil) else {
                return Self.page("No plugin \"\(HTMLText.escape(id))\".", status: .notFound)
            }
            return Self.page(page)
        }
        router.console(.post, "plugins/:id/settings") { request, context in
            let (session, form) = try await self.pageForm(request, operatorOnly: true)
            let id = context.parameters.get("id") ?? ""
            switch await self.saveSettings(id: id, form: form, draftKey: "\(session.id)/\(id)") {
            case .success(let message):
                return Self.redirect("/plugins/\(id)?done=\(Self.queryValue(message))")
            case .failure(let failure):
                guard let page = self.pluginPage(session, id: id, message: nil, form: failure) else {
                    return Self.page("No plugin \"\(HTMLText.escape(id))\".", status: .notFound)
                }
                return Self.page(page, status: .unprocessableContent)
            }
        }
    }

    /// A submitted form that did not validate: what was entered and what is wrong.
    struct RejectedSettings: Error {
        var settings: [String: JSONValue]
        var errors: [String: String]
        var options: PluginOptions
    }

    /// The plugin's schema and uiSchema, read from its package.
    func settingsForm(of status: PluginStatus) -> (schema: ConfigSchema, form: SchemaForm)? {
        guard let package = try? PluginPackage(contentsOf: status.file), let schema = package.manifest.configSchema else { return nil }
        return (schema, SchemaForm(schema: schema.schema, uiSchema: package.manifest.configUISchema))
    }

    /// The plugin's current settings, keyed as its schema spells them.
    func currentSettings(of id: String, schema: ConfigSchema) -> [String: JSONValue] {
        let raw = pluginManager.configuration.pluginSettings[id] ?? [:]
        let properties = schema.schema.objectValue?["properties"]?.objectValue?.keys ?? []
        var spelled: [String: JSONValue] = [:]
        for (key, value) in raw {
            spelled[properties.first { $0.lowercased() == key.lowercased() } ?? key] = value
        }
        return spelled
    }

    func pluginPage(_ session: ConsoleSession, id: String, message: String?, form rejected: RejectedSettings?) -> String? {
        guard let status = pluginManager.status(of: id) else { return nil }
        var page = layoutContext(session, title: status.name ?? id, nav: "Plugins")
        page.merge(pluginContext(status, csrf: session.csrfToken)) { _, new in new }
        page["logs"] = console.logRing.entries(plugin: id, limit: 50).reversed().map(Self.logContext)
        if let message { page["message"] = message }
        let options = rejected?.options ?? pluginManager.configuration.options(for: id)
        page["users"] = options.users.joined(separator: ", ")
        page["allUsers"] = options.allUsers
        page["allowAdmins"] = options.allowAdmins
        page["extraHosts"] = options.extraHosts.joined(separator: ", ")
        if let (schema, form) = settingsForm(of: status) {
            let values = rejected?.settings ?? currentSettings(of: id, schema: schema)
            page["hasForm"] = true
            page["form"] = form.html(values: values, errors: rejected?.errors ?? [:])
            page["schemaProblems"] = form.problems
            if rejected != nil {
                page["formError"] = "Nothing was saved: correct the fields marked below."
                page["fromDraft"] = true
            }
            page["sourceNote"] = settingSources(of: id, schema: schema)
        } else {
            page["sourceNote"] = "Users and hosts set here are stored in \(ConsoleOverrides.fileName) and take precedence over \(configuration.source)."
        }
        return console.pages.render("plugin", page)
    }

    /// Which file each setting comes from.
    func settingSources(of id: String, schema: ConfigSchema) -> String {
        let saved = console.savedOverrides.withLock { $0.plugins[id]?.settings ?? [:] }
        let fromConsole = Set(saved.keys.map { $0.lowercased() })
        let fromFile = Set((configuration.fileSettings[id] ?? [:]).keys.map { $0.lowercased() })
        let keys = schema.schema.objectValue?["properties"]?.objectValue?.keys ?? []
        let setHere = keys.filter { fromConsole.contains($0.lowercased()) && saved[$0] != .null }
        let setInFile = keys.filter { !fromConsole.contains($0.lowercased()) && fromFile.contains($0.lowercased()) }
        var parts: [String] = []
        if !setHere.isEmpty { parts.append("From \(ConsoleOverrides.fileName) (set here): \(setHere.joined(separator: ", ")).") }
        if !setInFile.isEmpty { parts.append("From \(configuration.source): \(setInFile.joined(separator: ", ")).") }
        parts.append("Others: the plugin's defaults. Values set here take precedence over \(configuration.source).")
        return parts.joined(separator: " ")
    }

    /// Validates and stores the submitted settings, then reloads the plugin with them. A form
    /// shown again after a refusal was rendered from what was entered (kept here as a draft, as
    /// it holds the secrets the page never shows), so its rows are read against that draft.
    func saveSettings(id: String, form: [(name: String, value: String)], draftKey: String) async -> Result<String, RejectedSettings> {
        let options = Self.options(from: form)
        guard let status = pluginManager.status(of: id) else {
            return .failure(RejectedSettings(settings: [:], errors: ["": "no plugin \"\(id)\""], options: options))
        }
        // Without a schema only the users and hosts change; the settings stay as they are.
        var settings = pluginManager.configuration.pluginSettings[id] ?? [:]
        var stored = console.savedOverrides.withLock { $0.plugins[id]?.settings ?? [:] }
        if let (schema, schemaForm) = settingsForm(of: status) {
            let draft = console.drafts.withLock { $0.removeValue(forKey: draftKey) }
            let current = currentSettings(of: id, schema: schema)
            let previous = FormBody.value("draft", in: form) == "1" ? draft ?? current : current
            let fields = form.filter { $0.name != "csrf" && $0.name != "draft" && !$0.name.hasPrefix("access.") }
            var errors: [String: String]
            (settings, errors) = schemaForm.read(form: fields, previous: previous)
            do {
                _ = try schema.validate(settings)
            } catch {
                errors.merge(SchemaForm.fieldErrors(fromProblems: error.problems)) { first, _ in first }
            }
            guard errors.isEmpty else {
                console.drafts.withLock { drafts in
                    if drafts.count >= 100 { drafts.removeAll() }
                    drafts[draftKey] = settings
                }
                return .failure(RejectedSettings(settings: settings, errors: errors, options: options))
            }
            // Keys tonearm.toml sets that the form left empty are removed (null), not taken from the file again.
            stored = settings
            for key in (configuration.fileSettings[id] ?? [:]).keys
            where !settings.keys.contains(where: { $0.lowercased() == key.lowercased() }) {
                stored[key] = .null
            }
        }
        do {
            try console.savedOverrides.withLock { overrides in
                var updated = overrides
                updated.plugins[id] = ConsoleOverrides.Plugin(settings: stored, options: options)
                try updated.write(dataFolder: configuration.plugins.dataFolder)
                overrides = updated
            }
        } catch {
            return .failure(RejectedSettings(settings: settings, errors: ["": "could not store the settings: \(error)"], options: options))
        }
        logger.notice("console: plugin settings changed; reloading", metadata: ["plugin": "\(id)"])
        await pluginManager.reconfigure(id, settings: settings, options: options)
        let state = pluginManager.status(of: id)
        if let error = state?.lastError { return .success("saved, but the plugin did not load: \(error)") }
        return .success("saved and reloaded")
    }

    /// The `access.*` fields: users, all users, admins, granted hosts.
    static func options(from form: [(name: String, value: String)]) -> PluginOptions {
        func list(_ name: String) -> [String] {
            (FormBody.value(name, in: form) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return PluginOptions(
            users: list("access.users"), allUsers: FormBody.value("access.allUsers", in: form) == "true",
            allowAdmins: FormBody.value("access.allowAdmins", in: form) == "true", extraHosts: list("access.extraHosts"))
    }
}
