public import Alarms
public import Foundation
public import Records

/// The body of an operator command sent to the control API.
public struct CommandBody: Codable, Sendable {
    public var user: String?
    public var text: String?
    public var reason: String?
    public var durationSeconds: Int?
    /// Zones for a self-test (empty: every perimeter zone).
    public var zones: [String]?
    public init(user: String?, text: String? = nil, reason: String? = nil, durationSeconds: Int? = nil, zones: [String]? = nil) {
        self.zones = zones
        self.user = user
        self.text = text
        self.reason = reason
        self.durationSeconds = durationSeconds
    }
}

/// Every refusal or failure: a message that says what to do, and a machine-readable code.
public struct ErrorBody: Codable, Sendable {
    public var error: String
    public var code: String
    public init(error: String, code: String) {
        self.error = error
        self.code = code
    }
}

/// The answer to a command: the events it caused (already journaled).
public struct CommandResult: Codable, Sendable {
    public var events: [AlarmEvent]
    public init(events: [AlarmEvent]) { self.events = events }
}

/// `watchroomctl status`: one summary line and the details an operator must not forget.
public struct StatusReport: Codable, Sendable {
    public struct BusStatus: Codable, Sendable {
        public var id: String
        public var endpoint: String
        public var cycles: Int
        public var requests: Int
        public var failures: Int
        public var overruns: Int
        public init(id: String, endpoint: String, cycles: Int, requests: Int, failures: Int, overruns: Int) {
            self.id = id
            self.endpoint = endpoint
            self.cycles = cycles
            self.requests = requests
            self.failures = failures
            self.overruns = overruns
        }
    }
    public struct ZoneOutOfService: Codable, Sendable {
        public var zone: String
        public var name: String
        public var by: String?
        public var reason: String?
        public var since: Date?
        public init(zone: String, name: String, by: String?, reason: String?, since: Date?) {
            self.zone = zone
            self.name = name
            self.by = by
            self.reason = reason
            self.since = since
        }
    }
    public var site: String
    public var time: Date
    public var summary: String
    public var buses: [BusStatus]
    public var zonesArmed: Int
    public var zonesDisarmed: [String]
    public var outOfService: [ZoneOutOfService]
    public var shelved: [Alarm]
    public var alarmsByState: [String: Int]
    public var commLost: [String]
    public var chattering: [Int]
    public var journalSeq: Int64
    /// The MQTT uplink; absent without one.
    public var uplink: UplinkStatus?
    /// Visitors inside who wait for their named approver's own `visitor approve` (their count is
    /// this list's length); absent from a daemon before it was reported.
    public var visitorsAwaitingApproval: [VisitorAwaitingApproval]?

    public init(site: String, time: Date, summary: String, buses: [BusStatus], zonesArmed: Int, zonesDisarmed: [String],
                outOfService: [ZoneOutOfService], shelved: [Alarm], alarmsByState: [String: Int], commLost: [String],
                chattering: [Int], journalSeq: Int64) {
        self.site = site
        self.time = time
        self.summary = summary
        self.buses = buses
        self.zonesArmed = zonesArmed
        self.zonesDisarmed = zonesDisarmed
        self.outOfService = outOfService
        self.shelved = shelved
        self.alarmsByState = alarmsByState
        self.commLost = commLost
        self.chattering = chattering
        self.journalSeq = journalSeq
    }
}

/// JSON as the control API writes it: snake_case keys, ISO 8601 times.
public enum ControlJSON {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return d
    }()
}

/// The body of a duty-record request (recordings, media, visitors, repairs, handover).
public struct DutyBody: Codable, Sendable {
    public var user: String?
    public var by: String?
    public var recorder: String?
    public var camera: String?
    /// Playback window, as typed (read in the site's timezone by the daemon).
    public var fromTime: String?
    public var toTime: String?
    public var reason: String?
    public var medium: Int?
    public var name: String?
    public var org: String?
    public var purpose: String?
    public var approvedBy: String?
    public var note: String?
    /// Handover: who hands over and who takes over.
    public var from: String?
    public var to: String?
    public init(user: String? = nil, by: String? = nil, recorder: String? = nil, camera: String? = nil, fromTime: String? = nil,
                toTime: String? = nil, reason: String? = nil, medium: Int? = nil, name: String? = nil, org: String? = nil,
                purpose: String? = nil, approvedBy: String? = nil, note: String? = nil, from: String? = nil, to: String? = nil) {
        self.user = user
        self.by = by
        self.recorder = recorder
        self.camera = camera
        self.fromTime = fromTime
        self.toTime = toTime
        self.reason = reason
        self.medium = medium
        self.name = name
        self.org = org
        self.purpose = purpose
        self.approvedBy = approvedBy
        self.note = note
        self.from = from
        self.to = to
    }
}

/// An outbox row as `watchroomctl notifications` shows it: the notification's title, never a secret.
public struct OutboxView: Codable, Sendable {
    public let id: Int64
    public let target: String
    public let state: String
    public let attempts: Int
    public let nextAttemptAt: Date
    public let lastError: String?
    public let deliveredAt: Date?
    public let createdAt: Date
    public let title: String
    public init(id: Int64, target: String, state: String, attempts: Int, nextAttemptAt: Date, lastError: String?,
                deliveredAt: Date?, createdAt: Date, title: String) {
        self.id = id
        self.target = target
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.createdAt = createdAt
        self.title = title
    }
}

/// One line of the equipment operation log.
public struct EquipmentLogEntry: Codable, Sendable {
    public var time: Date
    public var subject: String
    public var text: String
    public var user: String?
    public init(time: Date, subject: String, text: String, user: String?) {
        self.time = time
        self.subject = subject
        self.text = text
        self.user = user
    }
}
