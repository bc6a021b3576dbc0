import Console
import Foundation
import Testing
import TonearmJSON

/// The settings form generated from plugins' configuration schemas: rendering, reading a
/// submitted form back, secrets, problem mapping and hostile schemas.
@Suite struct SchemaFormTests {
    // MARK: Fixtures

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Manifest {
        let plugin: String
        let schema: JSONValue
        let uiSchema: JSONValue?
    }

    /// The `config` of every plugin manifest in the repository.
    static func manifests() throws -> [Manifest] {
        let plugins = repositoryRoot.appendingPathComponent("Plugins")
        var result: [Manifest] = []
        for plugin in try FileManager.default.contentsOfDirectory(atPath: plugins.path).sorted() {
            let file = plugins.appendingPathComponent(plugin).appendingPathComponent("manifest.json")
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            let manifest = try JSONValue.parse(Array(data))
            guard let config = manifest["config"], let schema = config["schema"] else { continue }
            result.append(Manifest(plugin: plugin, schema: schema, uiSchema: config["uiSchema"]))
        }
        return result
    }

    static func manifest(_ plugin: String) throws -> Manifest {
        try #require(try manifests().first { $0.plugin == plugin })
    }

    static func discordForm() throws -> SchemaForm {
        let manifest = try manifest("discord-rich-presence")
        return SchemaForm(schema: manifest.schema, uiSchema: manifest.uiSchema)
    }

    static let aliceToken = "alice&<tok>\"en-7f3a91"
    static let bobToken = "bob-tok-c4e2d8"

    /// Discord settings with every field the form shows set (so that reading them back gives
    /// exactly these).
    static let discordValues: [String: JSONValue] = [
        "clientid": "123456789012345678",
        "users": [
            [
                "username": "alice", "token": .string(aliceToken), "status": "idle", "hidedetails": true,
                "ignoredplayers": "Feishin", "statusdisplay": "State", "filterartists": "Bad*",
                "filteralbumartists": "x", "filteralbums": "y", "filtertitles": "z", "filterlibraries": "3; 7",
            ],
            ["username": "bob", "token": .string(bobToken), "status": "online", "hidedetails": false],
        ],
        "activityname": "Custom", "activitynametemplate": "{track} <by> \"{artist}\" & 'co'",
        "statusdisplay": "Details", "servername": "Home", "detailstemplate": "{track}", "statetemplate": "{artist}",
        "largetexttemplate": "{album}", "defaultimage": "https://example.org/a.png", "overlay": true,
        "overlayimage": "https://example.org/o.png", "links": "Spotify", "filterartists": "a;b",
        "filteralbumartists": "c", "filteralbums": "d", "filtertitles": "e", "filterlibraries": "1;2",
        "filteraction": "Generic", "caaenabled": true, "uguuenabled": false, "spotifylinks": false,
        "ignoredplayers": "Feishin", "pausetimeout": 0, "gatewayurl": "wss://gateway.example",
        "apibaseurl": "https://api.example",
    ]

    static func schema(_ properties: JSONObject, required: [JSONValue] = []) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required)]
    }

    /// Frees a deeply nested value one level at a time (freeing it whole recurses per level).
    static func dismantle(_ value: inout JSONValue) {
        var stack = [value]
        value = .null
        while let node = stack.popLast() {
            switch node {
            case .array(let items): stack.append(contentsOf: items)
            case .object(let members): for member in members { stack.append(member.value) }
            default: break
            }
        }
    }

    // MARK: A minimal browser

    /// What a browser submits for the HTML the form writes, in document order: inputs
    /// (checkboxes only when checked), each select's selected option (else its first), each
    /// textarea's text.
    static func submission(of html: String) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            let attributes = attributes(of: tag)
            switch tag.prefix(while: { $0 != " " }) {
            case "input":
                guard let name = attributes["name"] else { continue }
                if attributes["type"] == "checkbox", attributes["checked"] == nil { continue }
                result.append((name, attributes["value"] ?? ""))
            case "textarea":
                guard let end = rest.firstRange(of: "</textarea>") else { return result }
                var text = rest[..<end.lowerBound]
                if text.first == "\n" { text = text.dropFirst() }
                if let name = attributes["name"] { result.append((name, unescape(text))) }
                rest = rest[end.upperBound...]
            case "select":
                guard let end = rest.firstRange(of: "</select>") else { return result }
                var options: [(value: String, selected: Bool)] = []
                var body = rest[..<end.lowerBound]
                while let start = body.firstRange(of: "<option"), let stop = body[start.upperBound...].firstIndex(of: ">") {
                    let option = self.attributes(of: body[start.upperBound..<stop])
                    options.append((option["value"] ?? "", option["selected"] != nil))
                    body = body[body.index(after: stop)...]
                }
                if let name = attributes["name"], let chosen = options.first(where: \.selected) ?? options.first {
                    result.append((name, chosen.value))
                }
                rest = rest[end.upperBound...]
            default:
                continue
            }
        }
        return result
    }

    /// `name="value"` and bare attributes of a start tag (after its name).
    static func attributes(of tag: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = tag.drop { $0 != " " }
        while true {
            rest = rest.drop { $0 == " " }
            let name = rest.prefix { $0 != "=" && $0 != " " }
            guard !name.isEmpty else { return result }
            rest = rest.dropFirst(name.count)
            if rest.hasPrefix("=\"") {
                rest = rest.dropFirst(2)
                let value = rest.prefix { $0 != "\"" }
                result[String(name)] = unescape(value)
                rest = rest.dropFirst(value.count + 1)
            } else {
                result[String(name)] = ""
            }
        }
    }

    static func unescape(_ text: Substring) -> String {
        String(text).replacing("&quot;", with: "\"").replacing("&#39;", with: "'").replacing("&lt;", with: "<")
            .replacing("&gt;", with: ">").replacing("&amp;", with: "&")
    }

    /// `form` with `name` set to `value` (added when absent).
    static func setting(_ form: [(name: String, value: String)], _ name: String, _ value: String) -> [(name: String, value: String)] {
        var form = form
        if let index = form.lastIndex(where: { $0.name == name }) {
            form[index].value = value
        } else {
            form.append((name, value))
        }
        return form
    }

    static func names(_ form: [(name: String, value: String)]) -> [String] { form.map(\.name) }

    // MARK: Plugin manifests

    @Test func everyPluginManifestRendersAndReadsBack() throws {
        let manifests = try Self.manifests()
        #expect(manifests.contains { $0.plugin == "discord-rich-presence" } && manifests.count > 1)
        for manifest in manifests {
            let form = SchemaForm(schema: manifest.schema, uiSchema: manifest.uiSchema)
            #expect(form.problems.isEmpty, "\(manifest.plugin): \(form.problems)")
            let html = form.html(values: [:], errors: [:])
            let submitted = Self.submission(of: html)
            let properties = try #require(manifest.schema["properties"]?.objectValue)
            for (key, schema) in properties {
                // Every setting has a field (an array of objects: its rows).
                #expect(Self.names(submitted).contains { $0 == key || $0.hasPrefix("\(key)[") }, "\(manifest.plugin): \(key)")
                #expect(html.contains("<label for=\"cfg-\(key)\">") || html.contains("id=\"cfg-\(key)\""), "\(manifest.plugin): \(key)")
                if let title = schema["title"]?.stringValue { #expect(html.contains(HTMLText.escape(title))) }
            }
            // Defaults fill the fields, so they come back explicitly (secrets excepted).
            let (settings, errors) = form.read(form: submitted, previous: [:])
            #expect(errors.isEmpty, "\(manifest.plugin): \(errors)")
            for (key, schema) in properties where !form.isSecret(path: key) {
                guard let value = schema["default"], value != "" else { continue }
                #expect(settings[key] == value, "\(manifest.plugin): \(key)")
            }
            // And reading what the form shows for those settings gives them again.
            let again = form.read(form: Self.submission(of: form.html(values: settings, errors: [:])), previous: settings)
            #expect(again.settings == settings && again.errors.isEmpty, "\(manifest.plugin)")
        }
    }

    @Test func discordRoundTripKeepsEverySettingAndNeverShowsTokens() throws {
        let form = try Self.discordForm()
        let html = form.html(values: Self.discordValues, errors: [:])
        for secret in ["7f3a91", "c4e2d8"] { #expect(!html.contains(secret)) }
        #expect(html.components(separatedBy: "placeholder=\"stored — leave empty to keep\"").count == 3)
        #expect(html.contains("<input type=\"password\" id=\"cfg-users_5b0_5d_2etoken\" name=\"users[0].token\""))
        #expect(html.contains("autocomplete=\"off\""))
        // The array form is shown, with the string form named as also accepted.
        #expect(html.contains("Also accepted: Text (username:token,username:token)."))
        let submitted = Self.submission(of: html)
        #expect(submitted.contains { $0 == ("users.__form", "0") })
        #expect(submitted.contains { $0 == ("users[1].__index", "1") } && submitted.contains { $0 == ("users[2].__index", "") })
        let (settings, errors) = form.read(form: submitted, previous: Self.discordValues)
        #expect(errors.isEmpty)
        #expect(settings == Self.discordValues)
    }

    @Test func discordUILayoutOrdersGroupsAndLabels() throws {
        let form = try Self.discordForm()
        let html = form.html(values: [:], errors: [:])
        let names = Self.names(Self.submission(of: html))
        // JSON Forms order: clientid, activityname, …; gatewayurl and apibaseurl last, in "Advanced".
        #expect(names.first == "clientid" && names[1] == "activityname")
        #expect(names.suffix(2) == ["gatewayurl", "apibaseurl"])
        #expect(html.contains("<fieldset class=\"section\"><legend>Images</legend>"))
        #expect(html.contains("<fieldset class=\"section\"><legend>Advanced</legend>"))
        // The row detail's order: username, token, status, …
        let row = names.filter { $0.hasPrefix("users[0].") }
        #expect(Array(row.prefix(4)) == ["users[0].__index", "users[0].username", "users[0].token", "users[0].status"])
        // Required marks and help text.
        #expect(html.contains("Discord Application Client ID <abbr class=\"required\" title=\"required\">*</abbr>"))
        #expect(html.contains("<p class=\"help\" id=\"cfg-clientid-help\">The Application ID of a Discord application"))
        #expect(html.contains("minlength=\"17\" maxlength=\"20\" pattern=\".*(?:^[0-9]+$).*\""))
        #expect(html.contains("type=\"number\" id=\"cfg-pausetimeout\"") && html.contains("step=\"1\" min=\"0\" value=\"600\""))
    }

    @Test func discordBlankTokenKeepsTheRightRowAfterRemovingARow() throws {
        let form = try Self.discordForm()
        var submitted = Self.submission(of: form.html(values: Self.discordValues, errors: [:]))
        submitted.append(("users[0].__remove", "true"))
        // A user added in the blank row, with a token of its own.
        submitted = Self.setting(submitted, "users[2].username", "carol")
        submitted = Self.setting(submitted, "users[2].token", "carol-token")
        let (settings, errors) = form.read(form: submitted, previous: Self.discordValues)
        #expect(errors.isEmpty)
        let users = try #require(settings["users"]?.arrayValue)
        #expect(users.count == 2)
        #expect(users[0]["username"] == "bob" && users[0]["token"] == .string(Self.bobToken))
        #expect(users[1]["username"] == "carol" && users[1]["token"] == "carol-token" && users[1]["status"] == "online")
    }

    @Test func discordNewTokenReplacesTheStoredOne() throws {
        let form = try Self.discordForm()
        let submitted = Self.setting(Self.submission(of: form.html(values: Self.discordValues, errors: [:])), "users[1].token", "bob-new")
        let users = try #require(form.read(form: submitted, previous: Self.discordValues).settings["users"]?.arrayValue)
        #expect(users.map { $0["token"] } == [.string(Self.aliceToken), "bob-new"])
    }

    @Test func blankExtraRowIsDroppedAndAFilledOneAdded() throws {
        let form = try Self.discordForm()
        let html = form.html(values: [:], errors: [:])
        #expect(html.contains("<fieldset class=\"row new\" id=\"cfg-users_5b0_5d\">"))
        let blank = form.read(form: Self.submission(of: html), previous: [:])
        #expect(blank.settings["users"] == nil && blank.errors.isEmpty)
        let filled = form.read(form: Self.setting(Self.submission(of: html), "users[0].username", "dave"), previous: [:])
        #expect(filled.settings["users"] == [["username": "dave", "status": "online", "hidedetails": false]])
        // Removing every row leaves no users (so "required setting is missing" follows).
        var all = Self.submission(of: form.html(values: Self.discordValues, errors: [:]))
        all += [("users[0].__remove", "true"), ("users[1].__remove", "true")]
        #expect(form.read(form: all, previous: Self.discordValues).settings["users"] == nil)
    }

    @Test func discordUsersAsTextAreShownMaskedAndKept() throws {
        let form = try Self.discordForm()
        let values: [String: JSONValue] = ["clientid": "123456789012345678", "users": "alice:tok-9z9z,bob:tok-8y8y"]
        let html = form.html(values: values, errors: [:])
        #expect(!html.contains("9z9z") && !html.contains("8y8y"))
        #expect(html.contains("Also accepted: List."))
        let submitted = Self.submission(of: html)
        #expect(submitted.contains { $0 == ("users.__form", "1") } && submitted.contains { $0 == ("users", "") })
        #expect(form.read(form: submitted, previous: values).settings["users"] == values["users"])
        #expect(form.read(form: Self.setting(submitted, "users", "carol:t1"), previous: values).settings["users"] == "carol:t1")
    }

    @Test func secretsOfOtherPluginsAreMaskedAndKept() throws {
        let manifest = try Self.manifest("webhook-relay")
        let form = SchemaForm(schema: manifest.schema, uiSchema: manifest.uiSchema)
        let values: [String: JSONValue] = ["url": "https://example.org/hook", "secret": "hunter2-q1w2", "nowPlaying": true]
        let html = form.html(values: values, errors: [:])
        #expect(!html.contains("hunter2"))
        let submitted = Self.submission(of: html)
        #expect(form.read(form: submitted, previous: values).settings == values)
        #expect(form.read(form: Self.setting(submitted, "secret", "new-one"), previous: values).settings["secret"] == "new-one")
        // Nothing stored: an empty password input without placeholder.
        #expect(!form.html(values: [:], errors: [:]).contains("placeholder"))
    }

    @Test func isSecretFollowsKeysTitlesFormatsAndUISchema() throws {
        let discord = try Self.discordForm()
        #expect(discord.isSecret(path: "users[0].token") && discord.isSecret(path: "users[17].token"))
        #expect(!discord.isSecret(path: "users[0].username") && !discord.isSecret(path: "clientid"))
        // The string form of users ("username:token,…") carries tokens.
        #expect(discord.isSecret(path: "users"))
        let schema = Self.schema([
            "apiKey": ["type": "string"],
            "pass": ["type": "string", "title": "Your Password"],
            "pin": ["type": "string", "format": "password"],
            "hidden": ["type": "string", "writeOnly": true],
            "rjsf": ["type": "string"],
            "plain": ["type": "string"],
            "tokenrefresh": ["type": "boolean"],
            "auth": ["type": "object", "properties": ["api key": ["type": "string"], "user": ["type": "string"]]],
            "apitokens": ["type": "object"],
        ])
        let form = SchemaForm(schema: schema, uiSchema: ["rjsf": ["ui:widget": "password"]])
        for path in ["apiKey", "pass", "pin", "hidden", "rjsf", "auth.api key", "apitokens", "apitokens.a[2].b"] {
            #expect(form.isSecret(path: path), "\(path)")
        }
        for path in ["plain", "tokenrefresh", "auth.user", "auth"] { #expect(!form.isSecret(path: path), "\(path)") }
        let values: [String: JSONValue] = [
            "apiKey": "v-a1", "pass": "v-b2", "pin": "v-c3", "hidden": "v-d4", "rjsf": "v-e5", "plain": "v-f6",
            "auth": ["api key": "v-g7", "user": "v-h8"],
        ]
        let html = form.html(values: values, errors: [:])
        for secret in ["v-a1", "v-b2", "v-c3", "v-d4", "v-e5", "v-g7"] { #expect(!html.contains(secret), "\(secret)") }
        #expect(html.contains("v-f6") && html.contains("v-h8"))
        // A boolean is a checkbox even when its key says token.
        #expect(html.contains("type=\"checkbox\" id=\"cfg-tokenrefresh\""))
    }

    // MARK: Reading

    @Test func integersAndNumbersAreCoercedWithoutTrapping() {
        let form = SchemaForm(schema: Self.schema(["n": ["type": "integer"], "x": ["type": "number"]]))
        let badIntegers = ["abc", "1e400", "NaN", "nan", "12abc", "99999999999999999999", "-9223372036854775809",
                           "9.3e18", "0x10", "inf", "1.5", "--1", "1e", "."]
        for text in badIntegers {
            let (settings, errors) = form.read(form: [("n", text)], previous: [:])
            #expect(errors == ["n": "must be a whole number"] && settings["n"] == nil, "\(text)")
        }
        let goodIntegers: [(String, Int64)] = [("42", 42), (" 7 ", 7), ("-0", 0), ("1e3", 1000), ("10.0", 10),
                                               ("9223372036854775807", .max), ("-9223372036854775808", .min)]
        for (text, value) in goodIntegers {
            #expect(form.read(form: [("n", text)], previous: [:]).settings == ["n": .integer(value)], "\(text)")
        }
        for text in ["1e400", "NaN", "-inf", "12abc", "0x1p3"] {
            #expect(form.read(form: [("x", text)], previous: [:]).errors == ["x": "must be a number"], "\(text)")
        }
        #expect(form.read(form: [("x", "1.5"), ("n", "")], previous: ["n": 3]).settings == ["x": 1.5])
        #expect(form.read(form: [("x", "2")], previous: [:]).settings == ["x": 2])
        // The number input steps by any amount for numbers.
        #expect(form.html(values: ["x": 0.25], errors: [:]).contains("step=\"any\" value=\"0.25\""))
    }

    @Test func checkboxesReadUncheckedAsFalseAndCheckedAsTrue() {
        let form = SchemaForm(schema: Self.schema(["on": ["type": "boolean", "default": true], "off": ["type": "boolean"]]))
        let html = form.html(values: [:], errors: [:])
        #expect(html.contains("<input type=\"hidden\" name=\"on\" value=\"false\">\n<input type=\"checkbox\" id=\"cfg-on\" name=\"on\" value=\"true\" checked>"))
        #expect(html.contains("<input type=\"checkbox\" id=\"cfg-off\" name=\"off\" value=\"true\">"))
        // The browser sends the hidden false, then the checkbox's true when checked.
        #expect(form.read(form: Self.submission(of: html), previous: [:]).settings == ["on": true, "off": false])
        #expect(form.read(form: [("on", "false"), ("off", "false"), ("off", "true")], previous: [:]).settings == ["on": false, "off": true])
        #expect(form.read(form: [("on", "on")], previous: ["off": true]).settings == ["on": true, "off": true])
        #expect(form.read(form: [("on", "maybe")], previous: [:]).errors == ["on": "must be on or off"])
    }

    @Test func emptyFieldsAndUnsetSelectsLeaveKeysOut() throws {
        let form = try Self.discordForm()
        let html = form.html(values: [:], errors: [:])
        // statusdisplay has no default and is optional: a "(not set)" option, selected.
        #expect(html.contains("<select id=\"cfg-statusdisplay\" name=\"statusdisplay\" aria-describedby=\"cfg-statusdisplay-help\">\n<option value=\"\" selected>(not set)</option>"))
        let (settings, _) = form.read(form: Self.submission(of: html), previous: [:])
        for key in ["statusdisplay", "servername", "clientid", "filterartists"] { #expect(settings[key] == nil, "\(key)") }
        #expect(settings["links"] == "MusicBrainz" && settings["pausetimeout"] == 600)
        // Unknown names add nothing; schema spelling is kept.
        var submitted = Self.submission(of: html)
        submitted += [("bogus", "1"), ("users[0].bogus", "2"), ("ClientID", "123456789012345678")]
        let read = form.read(form: submitted, previous: [:])
        #expect(read.settings == settings)
    }

    @Test func fieldsNotSubmittedKeepTheirStoredValues() throws {
        let form = try Self.discordForm()
        let read = form.read(form: [("servername", "Lounge")], previous: Self.discordValues)
        var expected = Self.discordValues
        expected["servername"] = "Lounge"
        #expect(read.settings == expected && read.errors.isEmpty)
    }

    @Test func listsAreOneItemPerLine() {
        let form = SchemaForm(schema: Self.schema([
            "tags": ["type": "array", "items": ["type": "string"]],
            "ports": ["type": "array", "items": ["type": "integer"]],
        ]))
        let values: [String: JSONValue] = ["tags": ["rock", "post punk", "<b>&"], "ports": [80, 443]]
        let html = form.html(values: values, errors: [:])
        #expect(html.contains("name=\"tags\" aria-describedby=\"cfg-tags-help\" rows=\"4\">\nrock\npost punk\n&lt;b&gt;&amp;</textarea>"))
        #expect(form.read(form: Self.submission(of: html), previous: [:]).settings == values)
        #expect(form.read(form: [("ports", "80\r\n\r\n 8080 \r\n")], previous: [:]).settings == ["ports": [80, 8080]])
        #expect(form.read(form: [("ports", "80\nabc")], previous: [:]).errors == ["ports": "line 2: must be a whole number"])
        #expect(form.read(form: [("ports", "\n")], previous: ["ports": [1]]).settings == [:])
    }

    @Test func alternativesShowTheFormTheStoredValueHas() {
        let form = SchemaForm(schema: Self.schema([
            "mode": ["title": "Mode", "anyOf": [
                ["anyOf": [["type": "integer", "title": "Number"], ["type": "array", "title": "Names", "items": ["type": "string"]]]],
                ["type": "string", "title": "Name"],
                ["type": "null"],
            ]],
        ]))
        #expect(form.problems.isEmpty)
        for (value, chosen, others) in [(JSONValue(5), "0", "Names; Name; null"), (["a", "b"], "1", "Number; Name; null"), ("x", "2", "Number; Names; null")] {
            let html = form.html(values: ["mode": value], errors: [:])
            let submitted = Self.submission(of: html)
            #expect(submitted.filter { $0.name == "mode.__form" }.map(\.value) == [chosen])
            #expect(html.contains("Also accepted: \(others)."))
            #expect(form.read(form: submitted, previous: [:]).settings == ["mode": value], "\(value)")
        }
        // Without a stored value the first form is shown.
        #expect(Self.submission(of: form.html(values: [:], errors: [:])).contains { $0 == ("mode.__form", "0") })
    }

    @Test func errorsInsideListsAndJSONAreShownAtTheirField() {
        let form = SchemaForm(schema: Self.schema([
            "ports": ["type": "array", "items": ["type": "integer"]],
            "extra": ["type": "object"],
        ]))
        let errors = SchemaForm.fieldErrors(fromProblems: [
            "ports[1]: expected integer, got string", "ports[3]: must be ≥ 1", "extra.a: must be a string", "portsx: other",
        ])
        let html = form.html(values: ["ports": [1, "x"]], errors: errors)
        #expect(html.contains("<p class=\"error\" id=\"cfg-ports-error\" role=\"alert\">[1]: expected integer, got string; [3]: must be ≥ 1</p>"))
        #expect(html.contains("<p class=\"error\" id=\"cfg-extra-error\" role=\"alert\">.a: must be a string</p>"))
        #expect(html.contains("<ul class=\"form-errors\" role=\"alert\">\n<li>portsx: other</li>\n</ul>"))
    }

    @Test func nestedObjectsAreNamedByPath() {
        let form = SchemaForm(schema: Self.schema([
            "a": ["type": "object", "title": "A", "properties": [
                "b": ["type": "string"],
                "c": ["type": "object", "properties": ["d": ["type": "integer", "minimum": 1]]],
            ]],
        ]))
        let values: [String: JSONValue] = ["a": ["b": "x", "c": ["d": 5]]]
        let html = form.html(values: values, errors: ["a.c.d": "must be ≥ 1"])
        #expect(Self.names(Self.submission(of: html)) == ["a.b", "a.c.d"])
        #expect(html.contains("<fieldset class=\"object\" id=\"cfg-a\">\n<legend>A</legend>"))
        #expect(html.contains("id=\"cfg-a_2ec_2ed-error\" role=\"alert\">must be ≥ 1</p>"))
        #expect(form.read(form: Self.submission(of: html), previous: [:]).settings == values)
        #expect(form.read(form: [("a.b", ""), ("a.c.d", "")], previous: values).settings == [:])
    }

    @Test func allOfMembersAreMerged() {
        let form = SchemaForm(schema: [
            "type": "object",
            "allOf": [
                ["properties": ["host": ["type": "string", "title": "Host"]], "required": ["host"]],
                ["properties": ["port": ["type": "integer", "default": 80]]],
                5,
            ],
        ])
        #expect(form.problems.isEmpty)
        let html = form.html(values: [:], errors: [:])
        #expect(html.contains("<label for=\"cfg-host\">Host <abbr class=\"required\" title=\"required\">*</abbr></label>"))
        #expect(form.read(form: Self.submission(of: html), previous: [:]).settings == ["port": 80])
    }

    @Test func constantsAndFreeFormJSON() {
        let form = SchemaForm(schema: Self.schema([
            "version": ["const": 2],
            "extra": ["description": "Anything"],
        ]))
        let html = form.html(values: ["extra": ["k": [1, 2]]], errors: [:])
        #expect(html.contains("name=\"version\"") && html.contains("value=\"2\" readonly>"))
        #expect(html.contains("class=\"json\"") && html.contains("{&quot;k&quot;:[1,2]}"))
        let read = form.read(form: Self.submission(of: html), previous: [:])
        #expect(read.settings == ["version": 2, "extra": ["k": [1, 2]]])
        let invalid = form.read(form: [("version", "3"), ("extra", "{nope")], previous: [:])
        #expect(invalid.settings == ["version": 2])
        #expect(invalid.errors["extra"]?.hasPrefix("is not valid JSON") == true)
    }

    // MARK: Errors

    @Test func problemsMapToFields() {
        let errors = SchemaForm.fieldErrors(fromProblems: [
            "users[0].token: required setting is missing",
            "clientid: must be at least 17 characters long",
            "clientid: does not match the pattern ^[0-9]+$",
            "settings: matches none of the allowed forms",
            "no path here",
        ])
        #expect(errors == [
            "users[0].token": "required setting is missing",
            "clientid": "must be at least 17 characters long; does not match the pattern ^[0-9]+$",
            "": "matches none of the allowed forms; no path here",
        ])
    }

    @Test func errorsAreShownBesideTheirFieldsAndTheRestAbove() throws {
        let form = try Self.discordForm()
        let errors = SchemaForm.fieldErrors(fromProblems: [
            "clientid: must be at least 17 characters long",
            "users[1].username: required setting is missing",
            "nosuch: unknown <setting>",
            "settings: something about all of it",
        ])
        let html = form.html(values: Self.discordValues, errors: errors)
        #expect(html.contains("<div class=\"field invalid\">\n<label for=\"cfg-clientid\">"))
        #expect(html.contains("aria-describedby=\"cfg-clientid-help cfg-clientid-error\" aria-invalid=\"true\""))
        #expect(html.contains("<p class=\"error\" id=\"cfg-clientid-error\" role=\"alert\">must be at least 17 characters long</p>"))
        #expect(html.contains("<p class=\"error\" id=\"cfg-users_5b1_5d_2eusername-error\" role=\"alert\">required setting is missing</p>"))
        #expect(html.contains("<ul class=\"form-errors\" role=\"alert\">\n<li>something about all of it</li>\n<li>nosuch: unknown &lt;setting&gt;</li>\n</ul>"))
        #expect(!html.contains("<li>clientid"))
    }

    @Test func everythingWrittenIsEscaped() {
        let form = SchemaForm(schema: Self.schema([
            "x\"><script>": ["type": "string", "title": "<script>alert(1)</script>", "description": "a & b <i>",
                             "enum": ["<o>", "p\"q"]],
            "y": ["type": "string", "title": "Y"],
        ]))
        let html = form.html(values: ["y": "\"><img src=x onerror=alert(1)>"], errors: ["y": "<bad>"])
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<bad>") && !html.contains("<o>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && html.contains("a &amp; b &lt;i&gt;"))
        #expect(html.contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""))
        #expect(html.contains("name=\"x&quot;&gt;&lt;script&gt;\"") && html.contains("id=\"cfg-x_22_3e_3cscript_3e\""))
        #expect(form.read(form: Self.submission(of: html), previous: [:]).settings == ["y": "\"><img src=x onerror=alert(1)>"])
    }

    // MARK: uiSchema

    @Test func reactJSONSchemaFormHints() {
        let form = SchemaForm(
            schema: Self.schema(["a": ["type": "string"], "b": ["type": "string"], "c": ["type": "string"], "d": ["type": "string"]]),
            uiSchema: [
                "ui:order": ["c", "*", "a"],
                "b": ["ui:widget": "password", "ui:help": "Kept private.", "ui:title": "Bee"],
                "d": ["ui:widget": "textarea"],
            ])
        let html = form.html(values: ["b": "s3cr3t", "d": "one"], errors: [:])
        #expect(Self.names(Self.submission(of: html)) == ["c", "b", "d", "a"])
        #expect(!html.contains("s3cr3t") && html.contains("<label for=\"cfg-b\">Bee</label>") && html.contains("Kept private."))
        #expect(html.contains("<textarea id=\"cfg-d\" name=\"d\" rows=\"3\">\none</textarea>"))
    }

    @Test func jsonFormsHints() {
        let form = SchemaForm(
            schema: Self.schema([
                "a": ["type": "string"], "b": ["type": "string"],
                "o": ["type": "object", "properties": ["k": ["type": "string"]]],
            ]),
            uiSchema: [
                "type": "VerticalLayout",
                "elements": [
                    ["type": "Group", "label": "Second", "elements": [["type": "Control", "scope": "#/properties/b", "label": "Bee"]]],
                    ["type": "Control", "scope": "#/properties/o/properties/k", "options": ["format": "password"]],
                    ["type": "Control", "scope": "#/properties/nosuch"],
                    ["type": "Control", "scope": 5],
                    ["type": "Whatever", "elements": "x"],
                ],
            ])
        #expect(form.problems.isEmpty)
        #expect(form.isSecret(path: "o.k"))
        let html = form.html(values: ["o": ["k": "hidden-v"]], errors: [:])
        #expect(Self.names(Self.submission(of: html)) == ["b", "o.k", "a"])
        #expect(html.contains("<fieldset class=\"section\"><legend>Second</legend>\n<div class=\"field\">\n<label for=\"cfg-b\">Bee</label>"))
        #expect(!html.contains("hidden-v"))
    }

    @Test func unusableUISchemasAreIgnored() {
        var deepLayout: JSONValue = ["type": "Control", "scope": "#/properties/a"]
        for _ in 0..<10_000 { deepLayout = ["type": "VerticalLayout", "elements": [deepLayout]] }
        let schema = Self.schema(["a": ["type": "string"]])
        for ui: JSONValue in [5, "x", [1, 2], ["type": "VerticalLayout", "elements": 5], ["a": 5, "ui:order": 7], deepLayout] {
            let form = SchemaForm(schema: schema, uiSchema: ui)
            #expect(form.problems.isEmpty)
            #expect(Self.names(Self.submission(of: form.html(values: [:], errors: [:]))) == ["a"])
        }
        Self.dismantle(&deepLayout)
    }

    // MARK: Hostile schemas

    @Test func nonObjectSchemasShowNothingAndSaySo() {
        for schema: JSONValue in ["x", 5, [1, 2], true, nil, ["type": "array"], ["type": 5]] {
            let form = SchemaForm(schema: schema)
            #expect(form.problems.count == 1 && form.problems[0].hasPrefix("config.schema"), "\(schema)")
            let html = form.html(values: ["a": 1], errors: [:])
            #expect(!html.contains("<input") && html.utf8.count < 200)
            #expect(form.read(form: [("a", "1")], previous: ["a": 1]).settings.isEmpty)
        }
    }

    @Test func unusablePropertiesAndTitlesAreReported() {
        let form = SchemaForm(schema: ["type": "object", "properties": 5])
        #expect(form.problems == ["config.schema.properties: must be an object, not number; its settings cannot be shown as fields"])
        let nested = SchemaForm(schema: Self.schema([
            "n": ["type": "object", "properties": "x"],
            "t1": ["type": "string", "title": 5],
            "t2": ["type": "string", "title": ["a": 1], "description": 7],
            "t3": ["type": "string", "title": [1]],
            "s": 12,
            "r": ["$ref": "#/definitions/x", "x-unknown": true],
            "u": ["type": "string", "x-vendor": ["deep": true], "format": "hostname"],
            "w": ["type": "wobble"],
        ]))
        let problems = nested.problems.joined(separator: "\n")
        for expected in ["properties.n.properties: must be an object", "properties.t1.title: must be a string, not number",
                         "properties.t2.title: must be a string, not object", "properties.t2.description",
                         "properties.t3.title", "properties.s: must be a schema object, not number",
                         "properties.r.$ref: references are not supported", "properties.w.type: unknown type \"wobble\""]
        {
            #expect(problems.contains(expected), "\(expected)")
        }
        #expect(!problems.contains("properties.u"))
        let html = nested.html(values: [:], errors: [:])
        #expect(html.contains("<label for=\"cfg-t1\">t1</label>") && html.contains("<label for=\"cfg-u\">u</label>"))
        #expect(nested.read(form: [("n", "{\"a\":1}"), ("s", "[1]"), ("u", "h")], previous: [:]).settings == ["n": ["a": 1], "s": [1], "u": "h"])
    }

    @Test func deepNestingIsCappedAndEditedAsJSON() throws {
        var deep: JSONValue = ["type": "string"]
        for _ in 0..<10_000 { deep = ["type": "object", "properties": ["a": deep]] }
        let form = SchemaForm(schema: deep)
        #expect(form.problems.count == 1 && form.problems[0].contains("nested more than 8 levels deep; edited as JSON"))
        let html = form.html(values: [:], errors: [:])
        #expect(html.utf8.count < 20_000)
        let submitted = Self.submission(of: html)
        let name = Array(repeating: "a", count: 9).joined(separator: ".")
        #expect(Self.names(submitted) == [name])
        #expect(form.read(form: submitted, previous: [:]).settings.isEmpty)
        let read = form.read(form: [(name, "{\"a\": 1}")], previous: [:])
        var expected: JSONValue = ["a": ["a": 1]]
        for _ in 0..<8 { expected = ["a": expected] }
        #expect(read.settings == expected.objectValue?.dictionary && read.errors.isEmpty)
        #expect(form.read(form: [(name, "[")], previous: [:]).errors[name]?.hasPrefix("is not valid JSON") == true)
        // A stored value nested too deeply to show is masked, and kept when left empty.
        var value: JSONValue = 1
        for _ in 0..<10_000 { value = ["a": value] }
        var stored = try #require(value.objectValue?.dictionary)
        let masked = form.html(values: stored, errors: [:])
        #expect(masked.contains("placeholder=\"stored — leave empty to keep\"") && masked.utf8.count < 20_000)
        var kept = form.read(form: Self.submission(of: masked), previous: stored)
        #expect(kept.errors.isEmpty)
        var node = JSONValue.object(JSONObject(kept.settings))
        var depth = 0
        while case .object(let members) = node, let next = members["a"] {
            depth += 1
            node = next
        }
        #expect(depth == 10_000 && node == 1)
        node = .null
        kept.settings = [:]
        stored = [:]
        Self.dismantle(&value)
        Self.dismantle(&deep)
    }

    @Test func deepArraysAndAlternativesDoNotRecurse() {
        var arrays: JSONValue = ["type": "string"]
        for _ in 0..<10_000 { arrays = ["type": "array", "items": arrays] }
        var alternatives: JSONValue = ["type": "string"]
        for _ in 0..<10_000 { alternatives = ["anyOf": [alternatives, ["type": "integer"]]] }
        let form = SchemaForm(schema: Self.schema(["arrays": arrays, "alternatives": alternatives]))
        let problems = form.problems.joined(separator: "\n")
        #expect(problems.contains("config.schema.properties.arrays.items: lists of array values are edited as JSON"))
        #expect(problems.contains("nested more than 8 levels deep; edited as JSON"))
        let html = form.html(values: [:], errors: [:])
        #expect(html.utf8.count < 20_000)
        let read = form.read(form: [("arrays", "[[1]]"), ("alternatives", "7")], previous: [:])
        #expect(read.settings == ["arrays": [[1]], "alternatives": 7] && read.errors.isEmpty)
        Self.dismantle(&arrays)
        Self.dismantle(&alternatives)
    }

    @Test func hugeEnumsBecomeTextInputs() {
        let options = JSONValue.array((0..<100_000).map { .string("option \($0)") })
        let form = SchemaForm(schema: Self.schema(["pick": ["type": "string", "enum": options]]))
        #expect(form.problems == ["config.schema.properties.pick.enum: 100000 options are more than a list offers (500); entered as text"])
        let html = form.html(values: ["pick": "option 7"], errors: [:])
        #expect(html.contains("<input type=\"text\" id=\"cfg-pick\" name=\"pick\" value=\"option 7\">") && html.utf8.count < 1_000)
        #expect(form.read(form: [("pick", "option 9")], previous: [:]).settings == ["pick": "option 9"])
    }

    @Test func hugePropertyCountsAreCapped() {
        var properties = JSONObject()
        for index in 0..<10_000 { properties["p\(index)"] = ["type": "string"] }
        let form = SchemaForm(schema: Self.schema(properties))
        #expect(form.problems == ["config.schema.properties: the form shows at most 500 fields; 9500 settings here are not shown and keep their stored values"])
        let previous: [String: JSONValue] = ["p1": "one", "p9999": "last"]
        let html = form.html(values: previous, errors: [:])
        #expect(html.components(separatedBy: "<input type=\"text\"").count == 501 && html.utf8.count < 200_000)
        #expect(html.contains("9500 more settings are not shown here"))
        let read = form.read(form: Self.setting(Self.submission(of: html), "p1", "uno"), previous: previous)
        #expect(read.settings == ["p1": "uno", "p9999": "last"])
    }

    @Test func tooManyRowsAreKeptUnchanged() throws {
        let form = try Self.discordForm()
        var values = Self.discordValues
        values["users"] = .array((0..<1_001).map { ["username": .string("u\($0)"), "token": "t"] })
        let html = form.html(values: values, errors: [:])
        #expect(html.contains("1001 entries are stored, too many to edit here; they are kept unchanged."))
        #expect(html.utf8.count < 100_000 && !html.contains("users[0]"))
        #expect(form.read(form: Self.submission(of: html), previous: values).settings == values)
    }

    @Test func storedValuesOfTheWrongShapeDoNotLeak() {
        let form = SchemaForm(schema: Self.schema(["label": ["type": "string"], "tags": ["type": "array", "items": ["type": "string"]]]))
        let values: [String: JSONValue] = ["label": ["token": "leak-1a2b"], "tags": [["password": "leak-3c4d"]]]
        let html = form.html(values: values, errors: [:])
        #expect(!html.contains("leak-"))
        #expect(form.read(form: Self.submission(of: html), previous: values).settings == values)
        // Values in case other than the schema's are shown under the schema's key.
        #expect(form.html(values: ["LABEL": "shown"], errors: [:]).contains("value=\"shown\""))
    }
}
