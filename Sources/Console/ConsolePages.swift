import Mustache

/// The console's pages as Mustache templates (HTML-escaped by default; `{{{…}}}` only for HTML
/// the console built itself, such as a settings form). Every page extends `layout`.
package struct ConsolePages: Sendable {
    private let library: MustacheLibrary

    package init() {
        var library = MustacheLibrary()
        for (name, text) in Self.templates {
            // The templates are constants of this file, parsed by the tests too: a mistake is a bug here.
            try! library.register(text, named: name)
        }
        self.library = library
    }

    /// Renders template `name` with `context` (dictionaries, arrays, strings, numbers, Bools).
    package func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    static let templates: [String: String] = [
        "layout": """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · Tonearm</title><link rel="stylesheet" href="/console/console.css">
            <script src="/console/console.js" defer></script></head>
            <body><header><span class="brand">Tonearm</span>
            {{#signedIn}}<nav>
            <a href="/"{{#navDashboard}} aria-current="page"{{/navDashboard}}>Dashboard</a>
            {{#isAdmin}}<a href="/plugins"{{#navPlugins}} aria-current="page"{{/navPlugins}}>Plugins</a>
            <a href="/logs"{{#navLogs}} aria-current="page"{{/navLogs}}>Logs</a>{{/isAdmin}}
            </nav><span class="muted">{{who}}</span>
            <form class="inline" method="post" action="/signout"><input type="hidden" name="csrf" value="{{csrf}}">
            <button class="secondary" type="submit">Sign out</button></form>{{/signedIn}}
            </header><main>{{$main}}{{/main}}</main></body></html>
            """,
        "signin": """
            {{<layout}}{{$main}}
            <div class="panel" style="max-width:420px;margin:2rem auto">
            <h1>Sign in</h1>
            {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
            {{#demo}}<form method="post" action="/signin"><input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="demo" value="1"><p>This is the demo (<code>tonearm serve --demo</code>): a simulated
            Discord and a simulated listener. From this machine no password is needed.</p>
            <button type="submit" id="demo">Open the demo console</button></form>{{/demo}}
            {{#canSignIn}}
            <form method="post" action="/signin">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <div class="field"><label for="secret">Password or token</label>
            <input id="secret" name="secret" type="password" autocomplete="current-password" required autofocus>
            <div class="help">The operator: the console password or Server.AdminToken. A listener: the ListenBrainz
            token your player sends to Tonearm.</div></div>
            <button type="submit">Sign in</button></form>
            {{/canSignIn}}
            {{#adminMissing}}<div class="panel">
            <p>No admin password or token is set, so only listeners can sign in and the operator's pages are closed. Set a
            password with</p>
            <pre>tonearm admin set-password</pre>
            <p>(it asks for the password and stores a hash in the data folder), or set <code>AdminToken</code> under
            <code>[Server]</code> in <code>tonearm.toml</code>, then sign in here.</p>
            <p class="muted">{{plugins}} plugin(s) · {{users}} user(s) · {{playing}} playing</p></div>
            {{/adminMissing}}
            </div>{{/main}}{{/layout}}
            """,
        "dashboard": """
            {{<layout}}{{$main}}
            <h1>{{heading}}</h1>
            {{#nextSteps}}<div class="panel"><h2>Next steps</h2>
            <ol>
            <li>Install a plugin: put an <code>.ndp</code> file in <code>{{pluginsFolder}}</code>{{#isAdmin}} or upload it on the
            <a href="/plugins">Plugins</a> page{{/isAdmin}}. The Discord plugin is built by <code>scripts/build-plugins</code>:
            <pre>cp build/plugins/discord-rich-presence.ndp {{pluginsFolder}}/</pre></li>
            <li>Add a user to <code>tonearm.toml</code>:
            <pre>[[Users]]
            Name = "alice"
            ListenBrainzToken = "choose-a-long-random-token"</pre></li>
            <li>Point a player or server at Tonearm: its ListenBrainz URL is <code>{{publicURL}}/</code>, with that token; or poll a
            Subsonic server:
            <pre>[Subsonic]
            URL = "http://localhost:4533"
            Username = "admin"
            Password = "…"</pre></li>
            </ol>
            <p>Or try everything with a simulated Discord and listener: <code>tonearm serve --demo</code>.</p></div>{{/nextSteps}}
            <div data-events="/console/events" data-fragment="/console/fragments/live" id="live">{{>live}}</div>
            {{/main}}{{/layout}}
            """,
        "live": """
            {{#isAdmin}}<h2>Feeds</h2><div class="grid">
            <div class="panel"><strong>Subsonic poller</strong><br>
            {{#subsonic.enabled}}<span class="muted">{{subsonic.server}}</span><br>
            Last poll: {{subsonic.lastPoll}}{{#subsonic.lastError}}<br><span class="bad">Last error: {{subsonic.lastError}}</span>{{/subsonic.lastError}}
            {{#subsonic.backoff}}<br><span class="warn">{{subsonic.backoff}}</span>{{/subsonic.backoff}}{{/subsonic.enabled}}
            {{^subsonic.enabled}}<span class="muted">Off: no [Subsonic] URL, or Poll = false.</span>{{/subsonic.enabled}}</div>
            <div class="panel"><strong>ListenBrainz receiver</strong><br>
            {{#listenBrainz.enabled}}Submissions: {{listenBrainz.accepted}} · refused: {{listenBrainz.refused}}<br>
            Last: {{listenBrainz.last}}{{#listenBrainz.perUser}}<br><span class="muted">{{.}}</span>{{/listenBrainz.perUser}}{{/listenBrainz.enabled}}
            {{^listenBrainz.enabled}}<span class="muted">Off (ListenBrainz.Enabled = false).</span>{{/listenBrainz.enabled}}</div>
            </div>{{/isAdmin}}
            <h2>Listening now</h2>
            {{^users}}<p class="muted">No users yet.</p>{{/users}}
            <div class="grid">{{#users}}<div class="panel user" data-user="{{name}}"><strong>{{name}}</strong>
            {{^playing}}<div class="muted">Not playing</div>{{/playing}}
            {{#playing}}<div class="track">{{#art}}<img class="art" src="{{art}}" alt="" referrerpolicy="no-referrer">{{/art}}<div class="title">{{title}}</div><div>{{artist}}</div><div class="muted">{{album}}</div>
            <div class="muted">{{player}} · {{stateLabel}} · {{position}}</div></div>{{/playing}}
            </div>{{/users}}</div>
            {{#hasCards}}<h2>Discord presence</h2><div class="grid">{{#cards}}
            <div class="panel"><div class="presence" data-user="{{user}}">
            <div class="heading">{{heading}}</div>
            {{#activity}}<div class="body">{{#largeImage}}<img src="{{largeImage}}" alt="{{largeText}}" referrerpolicy="no-referrer">{{/largeImage}}{{^largeImage}}<div class="noart"></div>{{/largeImage}}
            <div class="lines"><div class="title">{{name}}</div><div>{{details}}</div><div>{{state}}</div><div>{{largeText}}</div></div></div>
            {{#progress}}<div class="progress" data-start="{{start}}" data-end="{{end}}">
            <span class="elapsed"></span><span class="bar"><span></span></span><span class="total"></span></div>{{/progress}}
            <div class="memberline">{{user}} — {{memberListLine}}</div>{{/activity}}
            {{^activity}}<div class="muted">Nothing shown</div>{{/activity}}
            </div><div class="muted">{{plugin}} · <span class="{{stateClass}}">{{stateLabel}}</span></div></div>
            {{/cards}}</div>{{/hasCards}}
            """,
        "plugins": """
            {{<layout}}{{$main}}
            <h1>Plugins</h1>
            {{#message}}<p class="ok" role="status">{{message}}</p>{{/message}}
            {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
            {{^plugins}}<p class="muted">No plugins in {{pluginsFolder}}.</p>{{/plugins}}
            <div class="grid">{{#plugins}}<div class="panel plugin" data-plugin="{{id}}">
            <strong><a href="/plugins/{{id}}">{{displayName}}</a></strong> <span class="muted">{{version}}</span>
            <span class="badge {{stateClass}}">{{state}}</span><br>
            <span class="muted">{{author}}</span>
            {{#lastError}}<p class="error">{{lastError}}</p>{{/lastError}}
            <div class="muted">{{capabilities}}</div>
            <p>{{#enabled}}<form class="inline" method="post" action="/plugins/{{id}}/disable"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary" type="submit">Disable</button></form>{{/enabled}}
            {{^enabled}}<form class="inline" method="post" action="/plugins/{{id}}/enable"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Enable</button></form>{{/enabled}}
            <form class="inline" method="post" action="/plugins/{{id}}/reload"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary" type="submit">Reload</button></form>
            <a class="button secondary" href="/plugins/{{id}}/remove">Remove…</a></p>
            </div>{{/plugins}}</div>
            <div class="panel"><h2>Install a plugin</h2>
            <form id="upload" data-csrf="{{csrf}}"><input type="file" id="upload-file" accept=".ndp" required>
            <button type="submit">Upload and review</button></form>
            <p class="error" id="upload-error" role="alert"></p>
            <p class="muted">The package is checked and shown (manifest, permissions, what changes when it replaces an
            installed plugin) before anything is installed. Uploading needs JavaScript; without it, copy the file into
            <code>{{pluginsFolder}}</code>.</p></div>
            {{/main}}{{/layout}}
            """,
        "plugin": """
            {{<layout}}{{$main}}
            <p><a href="/plugins">← Plugins</a></p>
            <h1>{{displayName}} <span class="muted">{{version}}</span> <span class="badge {{stateClass}}">{{state}}</span></h1>
            {{#message}}<p class="ok" role="status">{{message}}</p>{{/message}}
            {{#lastError}}<p class="error">{{lastError}}</p>{{/lastError}}
            <div class="panel"><p>{{description}}</p><p class="muted">By {{author}} · file {{file}} · capabilities: {{capabilities}}</p>
            <h2>Permissions</h2>{{^permissions}}<p class="muted">None.</p>{{/permissions}}
            <ul>{{#permissions}}<li><strong>{{name}}</strong>{{#reason}}: {{reason}}{{/reason}}</li>{{/permissions}}</ul></div>
            <div class="panel"><h2>Settings</h2>
            {{#schemaProblems}}<p class="warn">{{.}}</p>{{/schemaProblems}}
            {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
            <form method="post" action="/plugins/{{id}}/settings" novalidate>
            <input type="hidden" name="csrf" value="{{csrf}}">{{#fromDraft}}<input type="hidden" name="draft" value="1">{{/fromDraft}}
            {{#hasForm}}{{{form}}}{{/hasForm}}{{^hasForm}}<p class="muted">This plugin has no settings schema.</p>{{/hasForm}}
            <h2>Users and hosts</h2>
            <div class="field"><label for="access.users">Users</label><input type="text" id="access.users" name="access.users" value="{{users}}">
            <div class="help">Comma-separated usernames this plugin acts for.</div></div>
            <div class="field"><label><input type="checkbox" name="access.allUsers" value="true"{{#allUsers}} checked{{/allUsers}}> All users</label></div>
            <div class="field"><label><input type="checkbox" name="access.allowAdmins" value="true"{{#allowAdmins}} checked{{/allowAdmins}}> Allow admins</label></div>
            <div class="field"><label for="access.extraHosts">Granted hosts</label><input type="text" id="access.extraHosts" name="access.extraHosts" value="{{extraHosts}}">
            <div class="help">Comma-separated hosts beyond those the manifest asks for.</div></div>
            <button type="submit">Save and reload</button></form>
            <p class="muted">{{sourceNote}}</p></div>
            <div class="panel"><h2>Recent log lines</h2>{{^logs}}<p class="muted">None.</p>{{/logs}}
            <div class="scroll"><table class="logs"><tbody>{{#logs}}<tr><td>{{time}}</td><td>{{level}}</td><td>{{message}} {{metadata}}</td></tr>{{/logs}}</tbody></table></div></div>
            {{/main}}{{/layout}}
            """,
        "upload": """
            {{<layout}}{{$main}}
            <p><a href="/plugins">← Plugins</a></p>
            <h1>Install {{displayName}} <span class="muted">{{version}}</span></h1>
            <div class="panel"><p>{{description}}</p><p class="muted">By {{author}} · plugin id {{id}} · capabilities: {{capabilities}}</p>
            {{#errors}}<p class="error">{{.}}</p>{{/errors}}{{#warnings}}<p class="warn">{{.}}</p>{{/warnings}}
            <h2>Permissions</h2>{{^permissions}}<p class="muted">None.</p>{{/permissions}}
            <ul>{{#permissions}}<li><strong>{{name}}</strong>{{#reason}}: {{reason}}{{/reason}}</li>{{/permissions}}</ul>
            {{#needsUsers}}<p class="warn">It acts for users (the users permission): after installing, assign them on its page.</p>{{/needsUsers}}
            {{#replaces}}<h2>Replaces the installed {{id}}</h2>
            <p class="{{#widens}}warn{{/widens}}">It keeps that plugin's user grants and settings (tokens included). Permission changes:</p>
            <ul class="changes">{{#changes}}<li><code>{{.}}</code></li>{{/changes}}</ul>{{/replaces}}
            {{#valid}}<form class="inline" method="post" action="/uploads/{{token}}/install"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" id="install">{{#replaces}}Replace{{/replaces}}{{^replaces}}Install{{/replaces}}</button></form>{{/valid}}
            <form class="inline" method="post" action="/uploads/{{token}}/discard"><input type="hidden" name="csrf" value="{{csrf}}">
            <button class="secondary" type="submit">Cancel</button></form></div>
            {{/main}}{{/layout}}
            """,
        "remove": """
            {{<layout}}{{$main}}
            <p><a href="/plugins">← Plugins</a></p>
            <h1>Remove {{displayName}}?</h1>
            <div class="panel"><p>The plugin stops and its file moves from <code>{{file}}</code> to <code>{{removedFolder}}</code>;
            its data and settings stay, so installing it again brings it back as it was.</p>
            <form method="post" action="/plugins/{{id}}/remove"><input type="hidden" name="csrf" value="{{csrf}}">
            <button class="danger" type="submit" id="remove">Remove</button></form></div>
            {{/main}}{{/layout}}
            """,
        "logs": """
            {{<layout}}{{$main}}
            <h1>Logs</h1>
            <form method="get" action="/logs" class="panel">
            <label for="plugin">Plugin</label> <select id="plugin" name="plugin"><option value="">All</option>
            {{#pluginOptions}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{id}}</option>{{/pluginOptions}}</select>
            <label for="level">Level</label> <select id="level" name="level">
            {{#levelOptions}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/levelOptions}}</select>
            <button type="submit">Filter</button></form>
            <div class="panel scroll"><table class="logs" data-source="{{source}}" data-after="{{after}}">
            <thead><tr><th>Time</th><th>Level</th><th>Plugin</th><th>Message</th></tr></thead><tbody>
            {{#entries}}<tr><td>{{time}}</td><td>{{level}}</td><td>{{plugin}}</td><td>{{message}} {{metadata}}</td></tr>{{/entries}}
            </tbody></table></div>
            {{/main}}{{/layout}}
            """,
    ]
}
