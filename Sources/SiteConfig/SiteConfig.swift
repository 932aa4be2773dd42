/// A whole site: buses, devices (with their profiles), zones, sensors, equipment, recorders,
/// shifts and notification targets. Built only by `SiteConfigLoader`, so it is always valid.
public struct SiteConfig: Sendable {
    public var file: String
    public var siteName: String
    public var timezone: String
    public var stateDir: String
    public var controlSocket: String
    public var controlGroup: String?
    public var buses: [Bus]
    public var devices: [Device]
    public var zones: [Zone]
    public var areas: [Area]
    public var sensors: [Sensor]
    public var equipment: [Equipment]
    public var recorders: [Recorder]
    public var shifts: [Shift]
    public var supervisor: Person?
    public var ackTimeoutSeconds: Int
    public var escalationRepeatSeconds: Int
    public var notify: [NotifyTarget]
    /// The longest an operator may shelve an alarm.
    public var maxShelve: Duration
    /// Alarm events are kept at least this long when the journal is pruned.
    public var keepEventsDays: Int
    /// Self-test timing: active-test timeout and walk-test window.
    public var selfTestTimeoutSeconds: Int = 10
    public var walkTestWindowMinutes: Double = 30
    /// Retention holds, approvers, retention checks.
    public var duty = DutySettings()
    /// What loads but is probably not what the site wants (no shifts, two zones on one input),
    /// located like errors; `check-config` prints them and still exits 0.
    public var warnings: [Diagnostic] = []
    /// The groups and secrets the config asks of its host, for `check-config` to verify.
    public var hostRequirements: [HostRequirement] = []

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
