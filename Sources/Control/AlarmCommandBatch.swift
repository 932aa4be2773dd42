public import Alarms

/// `POST /v1/commands/{ack|note|reset|shelve|unshelve}`: one command for several alarms, each
/// named by its id or by its zone, sensor or device id, or every unacknowledged alarm.
public struct AlarmCommandBatch: Codable, Sendable {
    public var user: String?
    /// Alarm ids or zone/sensor/equipment/device ids (each stands for its open alarms).
    public var targets: [String]?
    /// Acknowledge every unacknowledged alarm (not shelved ones), narrowed by `priority` and `area`.
    public var allUnacknowledged: Bool?
    /// With `all_unacknowledged`: only this priority (critical, high, medium, low, info).
    public var priority: String?
    /// With `all_unacknowledged`: only zones of this area.
    public var area: String?
    public var text: String?
    public var reason: String?
    public var durationSeconds: Int?

    public init(user: String?, targets: [String]? = nil, allUnacknowledged: Bool? = nil, priority: String? = nil, area: String? = nil,
                text: String? = nil, reason: String? = nil, durationSeconds: Int? = nil) {
        self.user = user
        self.targets = targets
        self.allUnacknowledged = allUnacknowledged
        self.priority = priority
        self.area = area
        self.text = text
        self.reason = reason
        self.durationSeconds = durationSeconds
    }
}

/// The answer to a batch: one outcome per alarm acted on, or per target that named none.
public struct AlarmCommandOutcomes: Codable, Sendable {
    public struct Outcome: Codable, Sendable, Hashable {
        /// The word that named it ("Z01", "12"; "all-unacknowledged" for the bulk form).
        public var target: String
        /// The alarm acted on (nil when the target named none).
        public var alarm: Int?
        /// What the command did (committed); empty when refused.
        public var events: [AlarmEvent]
        /// Why it was refused, and the error code (`not-found`, `illegal-transition`, `invalid`, `journal-unavailable`).
        public var error: String?
        public var code: String?
        public var ok: Bool { error == nil }

        public init(target: String, alarm: Int?, events: [AlarmEvent] = [], error: String? = nil, code: String? = nil) {
            self.target = target
            self.alarm = alarm
            self.events = events
            self.error = error
            self.code = code
        }
    }
    public var results: [Outcome]
    public init(results: [Outcome]) { self.results = results }
}
