import NavidromePDK

/// Which activity field the member-list line "Listening to …" shows (`statusdisplay`; Discord's
/// `status_display_type`).
enum StatusDisplay {
    case name, state, details

    /// The setting's value (`Name`, `State` or `Details`, any case), or `nil`.
    init?(setting text: String) {
        let folded = ActivityText.asciiLowercased(ActivityText.trimmed(text))
        if ActivityText.equal(folded, "name") {
            self = .name
        } else if ActivityText.equal(folded, "state") {
            self = .state
        } else if ActivityText.equal(folded, "details") {
            self = .details
        } else {
            return nil
        }
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
