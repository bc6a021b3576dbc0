import NavidromePDK

/// Which activity field the member-list line "Listening to …" shows (`statusdisplay`; Discord's
/// `status_display_type`).
enum StatusDisplay {
    case name, state, details

    /// The setting's value (`Name`, `State` or `Details`, any case), or `nil`.
    init?(setting text: String) {
        guard let display = ActivityText.option(text, [("name", StatusDisplay.name), ("state", .state), ("details", .details)]) else { return nil }
        self = display
    }

    /// `status_display_type`: 0 name, 1 state, 2 details.
    var code: Int {
        switch self {
        case .name: return 0
        case .state: return 1
        case .details: return 2
        }
    }
}
