import TonearmJSON

/// The outcome of checking a Presence Update payload against Discord's rules.
struct PresenceUpdate: Equatable {
    var status: String
    var activities: [JSONValue]
    var since: JSONValue
    var afk: Bool
    /// Accepted-but-invisible problems (raw image URLs, second-based timestamps, …).
    var warnings: [String]
}

/// Why a Presence Update was refused.
enum PresenceProblem: Error, Equatable {
    /// The payload shape is wrong: the gateway closes with 4001.
    case invalidPayload(String)
    /// An activity breaks a limit: Discord drops it silently; the simulator records it.
    case rejectedActivity(String)

    var message: String {
        switch self {
        case .invalidPayload(let message), .rejectedActivity(let message): message
        }
    }
}

/// Checks op 3 payloads (and the `presence` of an Identify) per DISCORD.md §2 and §5.
enum PresenceValidation {
    static let sendableStatuses: Set<String> = ["online", "idle", "dnd", "invisible"]
    static let receiveOnlyFields = ["id", "created_at", "session_id"]

    /// Validates `d` of an op 3; `identify` also allows status `unknown` (official clients send it).
    static func validate(_ data: JSONValue?, identify: Bool = false) throws(PresenceProblem) -> PresenceUpdate {
        guard let data, let members = data.objectValue else { throw .invalidPayload("d must be an object") }
        guard let status = members["status"]?.stringValue else { throw .invalidPayload("status must be a string") }
        guard sendableStatuses.contains(status) || (identify && status == "unknown") else {
            throw .invalidPayload("status \"\(status)\" is not one of online, idle, dnd, invisible")
        }
        let since = members["since"] ?? .null
        switch since {
        case .null, .integer: break
        default: throw .invalidPayload("since must be an integer (unix ms) or null")
        }
        guard let afkValue = members["afk"] else { throw .invalidPayload("afk is required") }
        guard let afk = afkValue.boolValue else { throw .invalidPayload("afk must be a boolean") }
        let activities: [JSONValue]
        switch members["activities"] {
        case .none: throw .invalidPayload("activities is required")
        case .null: activities = []
        case .array(let list): activities = list
        case .some(let other): throw .invalidPayload("activities must be an array, not \(other.typeName)")
        }
        var warnings: [String] = []
        for (index, activity) in activities.enumerated() {
            try validateActivity(activity, path: "activities[\(index)]", warnings: &warnings)
        }
        return PresenceUpdate(status: status, activities: activities, since: since, afk: afk, warnings: warnings)
    }

    static func validateActivity(_ activity: JSONValue, path: String, warnings: inout [String]) throws(PresenceProblem) {
        guard let fields = activity.objectValue else { throw .invalidPayload("\(path) must be an object") }
        guard let name = fields["name"]?.stringValue else { throw .rejectedActivity("\(path).name is required (string)") }
        guard (1...128).contains(name.utf16.count) else {
            throw .rejectedActivity("\(path).name must be 1-128 characters (UTF-16), got \(name.utf16.count)")
        }
        guard let type = fields["type"]?.integerValue else { throw .rejectedActivity("\(path).type must be an integer") }
        guard type == 2 else { throw .rejectedActivity("\(path).type must be 2 (Listening), got \(type)") }
        if let applicationID = fields["application_id"], !applicationID.isNull {
            guard let id = applicationID.stringValue, isSnowflake(id) else {
                throw .rejectedActivity("\(path).application_id must be a snowflake string")
            }
        }
        try checkText(fields, "details", limit: 128, path: path)
        try checkText(fields, "state", limit: 128, path: path)
        try checkURL(fields, "details_url", path: path)
        try checkURL(fields, "state_url", path: path)
        if let display = fields["status_display_type"], !display.isNull {
            guard let value = display.integerValue, (0...2).contains(value) else {
                throw .rejectedActivity("\(path).status_display_type must be 0, 1, 2 or null")
            }
        }
        if let timestamps = fields["timestamps"], !timestamps.isNull {
            guard let stamps = timestamps.objectValue else { throw .rejectedActivity("\(path).timestamps must be an object") }
            for key in ["start", "end"] {
                guard let value = stamps[key], !value.isNull else { continue }
                guard let millis = value.integerValue, millis >= 0 else {
                    throw .rejectedActivity("\(path).timestamps.\(key) must be a non-negative integer (unix ms)")
                }
                if millis < 100_000_000_000 {
                    warnings.append("\(path).timestamps.\(key) = \(millis) looks like seconds; Discord expects milliseconds")
                }
            }
            if let start = stamps["start"]?.integerValue, let end = stamps["end"]?.integerValue, end < start {
                throw .rejectedActivity("\(path).timestamps.end is before start")
            }
        }
        if let assets = fields["assets"], !assets.isNull {
            guard let images = assets.objectValue else { throw .rejectedActivity("\(path).assets must be an object") }
            for key in ["large_image", "small_image"] {
                guard let value = images[key], !value.isNull else { continue }
                guard let image = value.stringValue else { throw .rejectedActivity("\(path).assets.\(key) must be a string") }
                guard image.utf16.count <= 313 else { throw .rejectedActivity("\(path).assets.\(key) is longer than 313") }
                if image.hasPrefix("http://") || image.hasPrefix("https://") {
                    warnings.append("\(path).assets.\(key) is a raw URL; Discord does not render it over the gateway (use mp:)")
                } else if !image.hasPrefix("mp:") && !isDigits(image) {
                    warnings.append("\(path).assets.\(key) is neither an mp: path nor a numeric asset id")
                }
            }
            try checkText(images, "large_text", limit: 128, path: "\(path).assets")
            try checkText(images, "small_text", limit: 128, path: "\(path).assets")
            try checkURL(images, "large_url", path: "\(path).assets")
            try checkURL(images, "small_url", path: "\(path).assets")
        }
        try checkButtons(fields, path: path)
        for key in receiveOnlyFields where fields[key] != nil {
            warnings.append("\(path).\(key) is receive-only; don't send it")
        }
    }

    static func checkButtons(_ fields: JSONObject, path: String) throws(PresenceProblem) {
        guard let buttons = fields["buttons"], !buttons.isNull else { return }
        guard let labels = buttons.arrayValue, labels.count <= 2 else {
            throw .rejectedActivity("\(path).buttons must be an array of at most 2 labels")
        }
        for label in labels {
            guard let text = label.stringValue, (1...32).contains(text.utf16.count) else {
                throw .rejectedActivity("\(path).buttons must hold label strings of 1-32 characters")
            }
        }
        guard let urls = fields["metadata"]?["button_urls"]?.arrayValue, urls.count == labels.count else {
            throw .rejectedActivity("\(path).metadata.button_urls must list one URL per button")
        }
        for url in urls {
            guard let text = url.stringValue, (1...512).contains(text.utf16.count),
                text.hasPrefix("http://") || text.hasPrefix("https://")
            else { throw .rejectedActivity("\(path).metadata.button_urls must be http(s) URLs of 1-512 characters") }
        }
    }

    static func checkText(_ fields: JSONObject, _ key: String, limit: Int, path: String) throws(PresenceProblem) {
        guard let value = fields[key], !value.isNull else { return }
        guard let text = value.stringValue else { throw .rejectedActivity("\(path).\(key) must be a string") }
        guard text.utf16.count <= limit else {
            throw .rejectedActivity("\(path).\(key) is \(text.utf16.count) UTF-16 units, over the limit of \(limit)")
        }
    }

    /// A link field: an http(s) URL of at most 256 UTF-16 units.
    static func checkURL(_ fields: JSONObject, _ key: String, path: String) throws(PresenceProblem) {
        try checkText(fields, key, limit: 256, path: path)
        guard let text = fields[key]?.stringValue else { return }
        let lowered = text.lowercased()
        guard let scheme = ["http://", "https://"].first(where: lowered.hasPrefix), text.count > scheme.count else {
            throw .rejectedActivity("\(path).\(key) must be an http(s) URL")
        }
    }

    static func isDigits(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func isSnowflake(_ text: String) -> Bool { isDigits(text) && (17...20).contains(text.utf8.count) }
}
