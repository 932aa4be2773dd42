public import Alarms
public import Foundation

/// The equipment operation log (site rules 4-6): device, equipment and recorder alarms, checks,
/// self-test results, footage pruning and repairs, one line each, oldest first.
public enum EquipmentLog {
    public struct Line: Sendable, Hashable {
        public var time: Date
        /// What it is about: "device nvr-io", "recorder NVR-1", "zone Z03", "equipment check".
        public var subject: String
        public var text: String
        public var user: String?
    }

    /// The lines from the journal's equipment events and the repairs requested or closed since `since`.
    public static func lines(events: [AlarmEvent], repairs: [Repair], since: Date) -> [Line] {
        var out = events.map(line)
        for r in repairs {
            if r.requestedAt >= since { out.append(Line(time: r.requestedAt, subject: r.subject, text: "repair #\(r.id) requested: \(r.text)", user: nil)) }
            if let c = r.closedAt, c >= since {
                out.append(Line(time: c, subject: r.subject, text: "repair #\(r.id) closed: \(r.note ?? "")", user: r.closedBy))
            }
        }
        return out.sorted { $0.time < $1.time }
    }

    static func line(_ e: AlarmEvent) -> Line {
        let subject: String
        let text: String
        if let a = e.alarm {
            // A recorder's alarms are system alarms on "recorder-ID".
            let recorder = a.source.kind == .system
            subject = recorder ? "recorder \(a.source.id.dropFirst("recorder-".count))" : "\(a.source.kind.rawValue) \(a.source.id)"
            text = "\(e.kind.rawValue): \(a.name) \(a.condition.rawValue)\(a.value.map { " (\($0))" } ?? "")\(e.text.map { " · \($0)" } ?? "")"
        } else {
            subject = e.kind == .selfTestResult ? "zone \(e.zone ?? "?")" : e.kind == .retentionPruned ? "retention" : "equipment check"
            text = "\(e.kind.rawValue): \(e.text ?? "")"
        }
        return Line(time: e.time, subject: subject, text: text, user: e.user)
    }
}
