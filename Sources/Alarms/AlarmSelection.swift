import Foundation
public import SiteConfig

/// Which open alarms an operator's words name, for the console and the board alike: an alarm id,
/// or a zone, sensor, equipment or device id standing for its open alarms; or every
/// unacknowledged alarm, narrowed by priority and area. Pure: the open alarms come in.
public enum AlarmSelection {
    /// What one word named: the alarms it stands for, or why it names none.
    public struct Pick: Sendable, Hashable {
        /// The word as the operator gave it ("Z01", "12").
        public var target: String
        /// The alarms it names, oldest first (a source may have several open: an alarm and a tamper).
        public var alarms: [Int]
        /// Why it names no alarm (nil when `alarms` is not empty).
        public var problem: String?

        public init(target: String, alarms: [Int], problem: String? = nil) {
            self.target = target
            self.alarms = alarms
            self.problem = problem
        }
    }

    /// Each word in turn: an open alarm's id, else a source id with open alarms, else (a number)
    /// the alarm id as given, so the engine answers for it ("no open alarm 42").
    public static func resolve(_ targets: [String], open: [Alarm]) -> [Pick] {
        targets.map { raw in
            let target = raw.trimmingCharacters(in: .whitespaces)
            if let id = Int(target), open.contains(where: { $0.id == id }) { return Pick(target: target, alarms: [id]) }
            let bySource = open.filter { $0.source.id == target }.map(\.id).sorted()
            if !bySource.isEmpty { return Pick(target: target, alarms: bySource) }
            if let id = Int(target) { return Pick(target: target, alarms: [id]) }
            return Pick(target: target, alarms: [], problem: "no open alarm for '\(target)' (give an alarm id, or a zone, sensor or device id with an open alarm)")
        }
    }

    /// Every open alarm no one has acknowledged yet (active or returned), oldest first; with
    /// `priority`, only that priority; with `area`, only zones of that area. Shelved alarms are
    /// hidden from the operators, so a bulk acknowledgement leaves them to come back.
    public static func unacknowledged(open: [Alarm], priority: Priority? = nil, area: String? = nil, config: SiteConfig) -> [Int] {
        open.filter { a in
            guard a.state == .unacknowledged || a.state == .returnedUnacknowledged, a.shelved == nil else { return false }
            if let priority, a.priority != priority { return false }
            if let area {
                guard a.source.kind == .zone, config.zone(id: a.source.id)?.area == area else { return false }
            }
            return true
        }.map(\.id).sorted()
    }
}
