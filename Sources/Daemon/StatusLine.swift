import Alarms

/// The one-line summary for systemd's STATUS= and `watchroomctl status`.
enum StatusLine {
    /// A journal that cannot be written, as the status tells it.
    struct Stall {
        var reason: String
        /// Events decided but not yet written.
        var held: Int
    }

    static func text(buses: Int, alarms: some Collection<Alarm>, zones: some Collection<ZoneControl>,
                     comm: some Collection<CommCondition>, stall: Stall?) -> String {
        let active = alarms.filter(\.active).count
        let armed = zones.filter(\.armed).count
        let lost = comm.filter { $0 == .lost }.count
        return "\(buses) bus\(buses == 1 ? "" : "es"), \(armed) zones armed, \(active) alarm\(active == 1 ? "" : "s") active"
            + (alarms.count > active ? " (\(alarms.count) open)" : "") + ", \(lost) device\(lost == 1 ? "" : "s") comm-lost"
            + (stall.map { "; JOURNAL STALLED: \($0.reason), \($0.held) events held in memory, operator commands refused" } ?? "")
    }
}
