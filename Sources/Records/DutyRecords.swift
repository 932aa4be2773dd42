public import Access
public import Foundation

/// Footage that must not be overwritten: one camera of one recorder over a time window, kept
/// until `until` (site rule 8 and the incident it documents).
public struct RetentionHold: Codable, Sendable, Hashable {
    public var id: Int64
    public var recorder: String
    public var camera: String
    public var from: Date
    public var to: Date
    public var until: Date
    public var reason: String
    public var alarmId: Int?
    public var createdAt: Date
    public init(id: Int64 = 0, recorder: String, camera: String, from: Date, to: Date, until: Date, reason: String,
                alarmId: Int?, createdAt: Date) {
        self.id = id
        self.recorder = recorder
        self.camera = camera
        self.from = from
        self.to = to
        self.until = until
        self.reason = reason
        self.alarmId = alarmId
        self.createdAt = createdAt
    }

    public func isActive(at now: Date) -> Bool { until > now }
    /// Whether footage of `camera` (nil: any camera of the recorder) over `start...end` falls in the hold.
    public func covers(camera c: String?, start: Date, end: Date) -> Bool {
        (c == nil || c == camera) && start <= to && end >= from
    }
}

/// A change to the holds, committed with the events that cause it.
public enum HoldChange: Sendable, Hashable {
    case add(RetentionHold)
    /// An alarm's holds last at least until `until` (its reset plus the hold time).
    case extend(alarmId: Int, until: Date)
}

/// A medium (tape, disk) put into a recorder's rotation.
public struct MediaLoad: Codable, Sendable, Hashable {
    public var id: Int64
    public var recorder: String
    public var medium: Int
    public var loadedAt: Date
    public var user: String
    public init(id: Int64 = 0, recorder: String, medium: Int, loadedAt: Date, user: String) {
        self.id = id
        self.recorder = recorder
        self.medium = medium
        self.loadedAt = loadedAt
        self.user = user
    }
}

/// A request to view footage, its approval by a listed approver, and each viewing.
public struct PlaybackRequest: Codable, Sendable, Hashable {
    public struct Viewing: Codable, Sendable, Hashable {
        public var by: String
        public var at: Date
        /// Who viewed, as the caller was known (nil in trust mode).
        public var viewer: Actor?
        public init(by: String, at: Date) {
            self.by = by
            self.at = at
        }
    }
    public var id: Int64
    public var recorder: String
    public var camera: String
    public var from: Date
    public var to: Date
    public var requestedBy: String
    public var reason: String
    public var requestedAt: Date
    public var approvedBy: String?
    public var approvedAt: Date?
    public var viewings: [Viewing]
    /// Who asked and who approved, as the callers were known: login, name, Unix account or board
    /// session (nil in trust mode, where only the typed names exist).
    public var requester: Actor?
    public var approver: Actor?
    public init(id: Int64 = 0, recorder: String, camera: String, from: Date, to: Date, requestedBy: String, reason: String,
                requestedAt: Date, approvedBy: String? = nil, approvedAt: Date? = nil, viewings: [Viewing] = []) {
        self.id = id
        self.recorder = recorder
        self.camera = camera
        self.from = from
        self.to = to
        self.requestedBy = requestedBy
        self.reason = reason
        self.requestedAt = requestedAt
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.viewings = viewings
    }
    public var state: String { approvedBy == nil ? "pending" : "approved" }
}

/// An outsider in the monitoring room (site rule 9): who, from where, why, approved by whom, in and out.
public struct Visitor: Codable, Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var org: String
    public var purpose: String
    public var approvedBy: String
    public var registeredBy: String?
    public var inAt: Date
    public var outAt: Date?
    /// The operator who signed the visitor out.
    public var outBy: String?
    /// Who registered the visit, as the caller was known (nil in trust mode).
    public var registrar: Actor?
    /// The login of the named approver whose own confirmation the visit still waits for (site
    /// rule 9, with users: an operator named someone else); nil once approved, and in trust mode.
    public var awaitingApprovalBy: String?
    /// Who approved, as the caller was known (the registrar themselves, or the named approver
    /// confirming with `visitor approve`); nil in trust mode and while awaiting approval.
    public var approver: Actor?
    public var approvedAt: Date?
    /// Whether the visit still waits for the named approver's confirmation.
    public var awaitingApproval: Bool { awaitingApprovalBy != nil }
    public init(id: Int64 = 0, name: String, org: String, purpose: String, approvedBy: String, registeredBy: String?,
                inAt: Date, outAt: Date? = nil) {
        self.id = id
        self.name = name
        self.org = org
        self.purpose = purpose
        self.approvedBy = approvedBy
        self.registeredBy = registeredBy
        self.inAt = inAt
        self.outAt = outAt
    }
    public var inside: Bool { outAt == nil }
}

/// A repair asked for (an equipment fault, a failed self-test or check item) and its closing.
public struct Repair: Codable, Sendable, Hashable {
    public var id: Int64
    /// What is broken: "equipment ups-on-battery", "zone Z03", "device nvr-io", "recorder NVR-1".
    public var subject: String
    public var text: String
    public var alarmId: Int?
    public var requestedAt: Date
    public var closedAt: Date?
    public var closedBy: String?
    public var note: String?
    public init(id: Int64 = 0, subject: String, text: String, alarmId: Int?, requestedAt: Date,
                closedAt: Date? = nil, closedBy: String? = nil, note: String? = nil) {
        self.id = id
        self.subject = subject
        self.text = text
        self.alarmId = alarmId
        self.requestedAt = requestedAt
        self.closedAt = closedAt
        self.closedBy = closedBy
        self.note = note
    }
    public var isOpen: Bool { closedAt == nil }
}
