public import Alarms
public import Foundation
public import SiteConfig

/// The morning equipment check (site rules 4-6), as pure logic: every device answers, every
/// sensor is within its limits with a fresh value, every equipment point is normal, every
/// file-based recorder keeps its rule, and the clock agrees with the journal's last write.
/// Each item becomes an `equipment-check` event; each failure is a repair request (RepairPlanner).
public struct EquipmentCheck: Sendable {
    /// What the check looks at, taken from the running daemon at one moment.
    public struct Inputs: Sendable {
        public var tracker: StateTracker
        /// When each device last answered.
        public var lastGoodScan: [String: Date]
        public var retention: [String: RetentionStatus]
        /// The journal's last event time, or why it could not be read.
        public var lastJournalWrite: Result<Date?, any Error>
        public init(tracker: StateTracker, lastGoodScan: [String: Date], retention: [String: RetentionStatus],
                    lastJournalWrite: Result<Date?, any Error>) {
            self.tracker = tracker
            self.lastGoodScan = lastGoodScan
            self.retention = retention
            self.lastJournalWrite = lastJournalWrite
        }
    }

    public let config: SiteConfig
    public init(config: SiteConfig) { self.config = config }

    /// The items, each passed or failed with its text.
    public func items(_ inputs: Inputs, at t: Date) -> [(ok: Bool, text: String)] {
        let tracker = inputs.tracker
        var items: [(ok: Bool, text: String)] = []
        for d in config.devices {
            let c = tracker.comm[d.id] ?? .unknown
            items.append((c == .ok, "device \(d.id)\(d.name.map { " \($0)" } ?? "") \(c == .ok ? "answers" : c == .lost ? "is comm-lost" : "has not answered yet")"))
        }
        for s in config.sensors {
            let band = tracker.sensors[s.id] ?? .unknown
            let value = tracker.sensorValues[s.id].map { String(format: "%.1f", $0) } ?? "-"
            let interval = config.bus(config.device(s.input.device)?.bus ?? "")?.pollInterval ?? .seconds(1)
            let freshFor = max(10, 3 * (Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18))
            let fresh = inputs.lastGoodScan[s.input.device].map { t.timeIntervalSince($0) < freshFor } ?? false
            let comm = tracker.comm[s.input.device] ?? .unknown
            let ok = band == .normal && fresh && comm == .ok
            // A device that does not answer has no reading: its last value is stale, and "unknown" is no band.
            let line = switch (comm, band) {
            case (.lost, _): "no reading: \(s.input.device) is comm-lost"
            case (.unknown, _): "no reading: \(s.input.device) has not answered yet"
            case (_, .unknown): "no reading yet"
            case _ where !fresh: "\(value): no fresh value"
            case (_, .normal): "\(value): within limits"
            default: "\(value): \(band.rawValue), outside its limits"
            }
            items.append((ok, "sensor \(s.id) \(s.name): \(line)"))
        }
        for e in config.equipment {
            let c = tracker.equipment[e.id] ?? .unknown
            items.append((c == .normal, "equipment \(e.id) \(e.name): \(c.rawValue)"))
        }
        for r in config.recorders where r.storagePath != nil {
            if let status = inputs.retention[r.id] {
                for f in status.findings { items.append((f.ok, "recorder \(r.id) \(r.name): \(f.text)")) }
            } else {
                items.append((false, "recorder \(r.id) \(r.name): storage not checked yet"))
            }
        }
        switch inputs.lastJournalWrite {
        case .success(let last?):
            let skew = last.timeIntervalSince(t)
            items.append((skew < 5, skew < 5 ? "clock agrees with the journal's last write" : "clock is \(Int(skew)) s behind the journal's last write (was it set back?)"))
        case .success(nil):
            items.append((true, "clock agrees with the journal's last write (no events yet)"))
        case .failure(let error):
            // An unreadable journal is a failed item, never a passing clock check.
            items.append((false, "the journal could not be read to check the clock: \(error)"))
        }
        return items
    }

    /// The journal events of a check run by `user`: one per item, then the summary.
    public func events(_ inputs: Inputs, user: String, at t: Date) -> [AlarmEvent] {
        let items = items(inputs, at: t)
        let failed = items.filter { !$0.ok }.count
        return items.map { AlarmEvent(kind: .equipmentCheck, time: t, user: user, text: "\($0.ok ? "pass" : "fail"): \($0.text)") }
            + [AlarmEvent(kind: .equipmentCheck, time: t, user: user, text: "summary: \(items.count - failed) passed, \(failed) failed")]
    }
}
