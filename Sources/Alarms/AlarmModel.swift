public import Access
public import Foundation
public import SiteConfig

/// What raised an alarm: a zone, a sensor, an equipment point, a device (comm loss) or the system itself.
public struct AlarmSource: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable { case zone, sensor, equipment, device, system }
    public var kind: Kind
    public var id: String
    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }
    public var description: String { "\(kind.rawValue) \(id)" }
}

/// The condition an alarm stands for.
public enum AlarmCondition: String, Sendable, Hashable, Codable {
    case alarm, tamper, fault, high, low
    case commLoss = "comm-loss"
    case selfTestMissed = "self-test-missed"
    case deliveryFailure = "delivery-failure"
    case retentionShortfall = "retention-shortfall"
    case recordingStopped = "recording-stopped"
    case retentionAtRisk = "retention-at-risk"
    case diskFull = "disk-full"
}

/// ISA-18.2 / IEC 62682 alarm states, with latching made explicit.
public enum AlarmState: String, Sendable, Hashable, Codable {
    /// Active, not yet acknowledged.
    case unacknowledged
    /// Active and acknowledged.
    case acknowledged
    /// Returned to normal before anyone acknowledged it.
    case returnedUnacknowledged = "returned-unacknowledged"
    /// Latched: returned and acknowledged, but stays until an operator resets it.
    case awaitingReset = "awaiting-reset"
    /// Closed: acknowledged and returned (and reset when latched).
    case normal
}

public struct AlarmNote: Sendable, Hashable, Codable {
    public var time: Date
    public var user: String
    public var text: String
    public init(time: Date, user: String, text: String) {
        self.time = time
        self.user = user
        self.text = text
    }
}

public struct Shelving: Sendable, Hashable, Codable {
    public var at: Date
    public var until: Date
    public var user: String
    public var reason: String
}

extension Priority: Codable {}

/// One alarm's whole record: what, how urgent, where in its lifecycle, and who did what.
public struct Alarm: Sendable, Hashable, Codable, Identifiable {
    public var id: Int
    public var source: AlarmSource
    public var name: String
    /// The zone type for zones (perimeter, fire, ...), else the source kind.
    public var category: String
    public var condition: AlarmCondition
    public var priority: Priority
    public var state: AlarmState
    public var latched: Bool
    /// Whether the condition is present now.
    public var active: Bool
    /// A latched alarm needs a handling note before reset (site rule 2).
    public var requiresNote: Bool
    public var raisedAt: Date
    public var updatedAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var returnedAt: Date?
    public var resetAt: Date?
    public var resetBy: String?
    public var notes: [AlarmNote] = []
    public var shelved: Shelving?
    /// How many times the condition became active while this alarm was open.
    public var activations: Int = 1
    public var chattering = false
    public var value: String?
    /// Escalations sent since the alarm last became active unacknowledged.
    public var escalations = 0
    /// When the current unacknowledged period began (raise or re-activation).
    public var escalationBase: Date?

    public var isOpen: Bool { state != .normal }
}

/// What happened, for the journal, the log, `watchroomctl watch` and notifications.
public struct AlarmEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case raised, reactivated, escalated, acknowledged, noted, returned, reset, cleared
        case shelved, unshelved, chattering
        case armed, disarmed
        case outOfService = "out-of-service"
        case returnedToService = "returned-to-service"
        case suppressed
        /// Self-test: a run began, a zone under test tripped or restored, a zone's result, the run ended.
        case selfTestStarted = "self-test-started"
        case testActivity = "test-activity"
        case selfTestResult = "self-test-result"
        case selfTestFinished = "self-test-finished"
        /// One item of the morning equipment check (text: "pass: ..." or "fail: ...").
        case equipmentCheck = "equipment-check"
        /// Footage past the retention rule deleted from a file-based recorder (text: what and how much).
        case retentionPruned = "retention-pruned"
        /// The wall clock was set (GB 12663); text: the old and the new time.
        case clockSet = "clock-set"
        /// A board login locked after repeated wrong passwords (text: the login and until when).
        case loginLocked = "login-locked"
    }
    public var kind: Kind
    public var time: Date
    /// The alarm after the event (nil for zone-level events).
    public var alarm: Alarm?
    public var zone: String?
    public var user: String?
    public var text: String?
    /// Who did it, for an operator's action: login, name, roles and the Unix account or board
    /// session that carried it (`user` is the name it is recorded under). Nil for the daemon's own events.
    public var actor: Actor?
    /// The journal's sequence number, once committed.
    public var seq: Int64?

    public init(kind: Kind, time: Date, alarm: Alarm? = nil, zone: String? = nil, user: String? = nil, text: String? = nil) {
        self.kind = kind
        self.time = time
        self.alarm = alarm
        self.zone = zone
        self.user = user
        self.text = text
    }
}

/// A zone's operator-controlled state.
public struct ZoneControl: Sendable, Hashable, Codable {
    public var armed: Bool
    public var armedBy: String?
    public var armedAt: Date?
    public var outOfService: Bool = false
    public var outOfServiceBy: String?
    public var outOfServiceReason: String?
    public var outOfServiceAt: Date?
    public init(armed: Bool) { self.armed = armed }
}

/// A write the engine asks the poller to make (a panel's reset or arm output).
public struct PointWrite: Sendable, Hashable {
    public var ref: PointRef
    public var value: Bool
}

/// Operator commands, each with the user who gave it.
public enum OperatorCommand: Sendable, Hashable {
    case acknowledge(alarm: Int, user: String)
    case note(alarm: Int, user: String, text: String)
    case reset(alarm: Int, user: String)
    case shelve(alarm: Int, user: String, reason: String, duration: Duration)
    case unshelve(alarm: Int, user: String)
    case arm(target: String, user: String)
    case disarm(target: String, user: String)
    case outOfService(zone: String, user: String, reason: String)
    case returnToService(zone: String, user: String)
}

/// Why a command was refused; `code` maps to an HTTP status in the control API.
public struct CommandRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        case notFound = "not-found"
        case illegalTransition = "illegal-transition"
        case invalid
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// The engine's output for one input: events to journal and announce, writes for the poller.
public struct EngineOutput: Sendable {
    public var events: [AlarmEvent] = []
    public var writes: [PointWrite] = []
    public init() {}
}
