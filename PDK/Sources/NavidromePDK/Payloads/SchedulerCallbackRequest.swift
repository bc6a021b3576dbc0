/// Input of `nd_scheduler_callback`.
public struct SchedulerCallbackRequest: JSONDecodable {
    public var scheduleId: String
    public var payload: String
    public var isRecurring: Bool

    public init(json: JSONObjectReader) throws(JSONError) {
        scheduleId = try json.string("scheduleId")
        payload = try json.string("payload")
        isRecurring = try json.bool("isRecurring")
    }
}
