import TonearmJSON

/// The entry point of `Fuzz/Sources/FuzzConsole` (libFuzzer): the console's parsers of outside
/// input, with their invariants. Not for other use.
@_spi(Fuzzing) public enum ConsoleFuzzing {
    /// A secret stored before the form is shown: no page may contain it.
    static let storedSecret = "STORED-SECRET-7f2c"

    /// A schema of every kind of field the console renders (the Discord plugin's shape).
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "clientid": ["type": "string", "pattern": "^[0-9]+$", "maxLength": 20],
            "count": ["type": "integer", "minimum": 0],
            "ratio": ["type": "number"],
            "enabled": ["type": "boolean", "default": false],
            "mode": ["type": "string", "enum": ["a", "b", "c"]],
            "hosts": ["type": "array", "items": ["type": "string"]],
            "users": [
                "anyOf": [
                    [
                        "type": "array",
                        "items": [
                            "type": "object",
                            "properties": ["username": ["type": "string"], "token": ["type": "string"], "hide": ["type": "boolean"]],
                        ],
                    ],
                    ["type": "string"],
                ]
            ],
        ],
    ]

    /// Runs one input. The first byte picks the parser: 0 a submitted form (form encoding) read
    /// against ``schema``; 1 a schema (JSON) rendered and read back empty; 2 a gateway frame on
    /// the presence board. Traps when an invariant breaks.
    public static func run(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        switch mode % 3 {
        case 0:
            let form = SchemaForm(schema: schema)
            let previous: [String: JSONValue] = ["users": [["username": "alice", "token": .string(storedSecret)]]]
            let (settings, errors) = form.read(form: FormBody.decode(rest), previous: previous)
            let html = form.html(values: settings, errors: errors)
            require(!html.contains(storedSecret), "the stored secret reached the page")
            let shown = form.html(values: previous, errors: [:])
            require(!shown.contains(storedSecret), "the stored secret reached the page")
        case 1:
            guard let schema = try? JSONValue.parse(rest) else { return }
            let form = SchemaForm(schema: schema, uiSchema: schema["uiSchema"])
            let html = form.html(values: [:], errors: ["": "x"])
            require(html.utf8.count < 64 << 20, "a page of \(html.utf8.count) bytes")
            _ = form.read(form: [], previous: [:])
        default:
            let board = PresenceBoard()
            board.textSent(plugin: "p", connection: "u", message: String(decoding: rest, as: UTF8.self))
            for card in board.allCards() {
                if let activity = card.activity {
                    for text in [activity.name, activity.details, activity.state, activity.largeText].compactMap({ $0 }) {
                        require(text.count <= 256, "an activity text of \(text.count) characters kept")
                    }
                }
            }
        }
    }

    private static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("FuzzConsole invariant: \(message())") }
    }
}
