/// What a user may or may not do: every operator action the daemon takes on a user's word.
public enum Action: String, Sendable, Hashable, CaseIterable, Codable {
    /// Read alarms, the journal, records, status (everyone who is a user).
    case view
    case acknowledge, note, reset, shelve, unshelve
    case arm, disarm
    case outOfService = "out-of-service"
    case returnToService = "return-to-service"
    /// Out of service or back of a zone that a running self-test is testing.
    case outOfServiceUnderTest = "out-of-service-under-test"
    case registerVisitor = "register-visitor"
    case approveVisitor = "approve-visitor"
    case requestPlayback = "request-playback"
    case approvePlayback = "approve-playback"
    case viewPlayback = "view-playback"
    case recordHandover = "record-handover"
    case loadMedium = "load-medium"
    case selfTest = "self-test"
    case equipmentCheck = "equipment-check"
    case closeRepair = "close-repair"
    case retryNotification = "retry-notification"
    /// Act in another user's name (recorded with both).
    case actForAnother = "act-for-another"

    /// The action as a refusal says it: "may not approve playback".
    public var phrase: String {
        switch self {
        case .view: "read the room's state"
        case .acknowledge: "acknowledge alarms"
        case .note: "write handling notes"
        case .reset: "reset alarms"
        case .shelve: "shelve alarms"
        case .unshelve: "unshelve alarms"
        case .arm: "arm zones or areas"
        case .disarm: "disarm zones or areas"
        case .outOfService: "take zones out of service"
        case .returnToService: "return zones to service"
        case .outOfServiceUnderTest: "take zones under test out of service"
        case .registerVisitor: "register visitors"
        case .approveVisitor: "approve visitors"
        case .requestPlayback: "file playback requests"
        case .approvePlayback: "approve playback"
        case .viewPlayback: "view approved playback"
        case .recordHandover: "record handovers"
        case .loadMedium: "record media loads"
        case .selfTest: "run self-tests"
        case .equipmentCheck: "run equipment checks"
        case .closeRepair: "close repairs"
        case .retryNotification: "re-queue notifications"
        case .actForAnother: "act in another user's name"
        }
    }
}
