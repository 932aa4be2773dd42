public import Alarms

/// The first line of `GET /v1/watch?snapshot=true`: the open alarms as committed up to `seq`;
/// the events after it follow, so a watcher's first screen and its stream neither miss nor repeat.
public struct WatchSnapshot: Codable, Sendable {
    /// The journal's last event when the snapshot was read; the stream continues after it.
    public var seq: Int64
    public var alarms: [Alarm]
    /// The names of the site's zones, sensors, equipment and devices, by id (for zone-level events).
    public var names: [String: String]
    public init(seq: Int64, alarms: [Alarm], names: [String: String]) {
        self.seq = seq
        self.alarms = alarms
        self.names = names
    }

    /// The line's shape: `{"snapshot": {...}}`, told apart from an event by its key.
    public struct Line: Codable, Sendable {
        public var snapshot: WatchSnapshot
        public init(snapshot: WatchSnapshot) { self.snapshot = snapshot }
    }
}
