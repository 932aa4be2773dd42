/// A whole site: buses, devices (with their profiles), zones, sensors, equipment, recorders,
/// shifts and notification targets. Built only by `SiteConfigLoader`, so it is always valid.
public struct SiteConfig: Sendable {
    public let file: String
    public let siteName: String
    public let timezone: String
    public let stateDir: String
    public let controlSocket: String
    public let controlGroup: String?
    public let buses: [Bus]
    public let devices: [Device]
    public let zones: [Zone]
    public let areas: [Area]
    public let sensors: [Sensor]
    public let equipment: [Equipment]
    public let recorders: [Recorder]
    public let shifts: [Shift]
    public let supervisor: Person?
    public let ackTimeoutSeconds: Int
    public let escalationRepeatSeconds: Int
    public let notify: [NotifyTarget]
    /// The longest an operator may shelve an alarm.
    public let maxShelve: Duration
    /// Alarm events are kept at least this long when the journal is pruned.
    public let keepEventsDays: Int
    /// Self-test timing: active-test timeout and walk-test window.
    public let selfTestTimeoutSeconds: Int
    public let walkTestWindowMinutes: Double
    /// Retention holds, approvers, retention checks.
    public let duty: DutySettings
    /// The language of messages and what to do per zone (`site.language`, `instructions:`).
    public internal(set) var messages = MessageSettings()
    /// The operators' web console (`board:`); nil when the site serves none.
    public internal(set) var board: BoardSettings?
    /// The site's users (Users.swift); empty: trust mode, every typed name believed.
    public internal(set) var users: [SiteUser] = []
    /// The MQTT uplink to a central station; nil: none.
    public internal(set) var uplink: MQTTUplink?
    /// What loads but is probably not what the site wants (no shifts, two zones on one input),
    /// located like errors; `check-config` prints them and still exits 0.
    public internal(set) var warnings: [Diagnostic] = []
    /// The groups and secrets the config asks of its host, for `check-config` to verify.
    public internal(set) var hostRequirements: [HostRequirement] = []
    /// Where `/metrics` and `/healthz` are served; nil: not served.
    public internal(set) var metrics: MetricsSettings?

    /// Where each zone and sensor is in `zones` and `sensors`, by id: built once per load and
    /// shared by every copy of the config (a copy of the zones keyed by id cost 5.5 MB at 12,800
    /// zones, once per part that kept one).
    var zoneIndex: [String: Int] = [:]
    var sensorIndex: [String: Int] = [:]

    /// The zone with this id, looked up by index.
    public func zone(id: String) -> Zone? { zoneIndex[id].map { zones[$0] } }
    /// The sensor with this id, looked up by index.
    public func sensor(id: String) -> Sensor? { sensorIndex[id].map { sensors[$0] } }

    mutating func indexIDs() {
        zoneIndex = Dictionary(zones.indices.map { (zones[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
        sensorIndex = Dictionary(sensors.indices.map { (sensors[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func device(_ id: String) -> Device? { devices.first { $0.id == id } }
    public func bus(_ id: String) -> Bus? { buses.first { $0.id == id } }
    public func devices(on bus: String) -> [Device] { devices.filter { $0.bus == bus } }

    /// The point definition a reference names (valid by construction).
    public func point(_ ref: PointRef) -> PointDefinition? { device(ref.device)?.profile.point(named: ref.point) }

    static func isValidID(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
            || $0 == "-" || $0 == "_" }
    }
}
