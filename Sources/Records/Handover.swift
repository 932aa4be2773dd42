public import Alarms
public import Foundation
import SiteConfig

/// The shift handover record (site rule 10): what happened in the shift and what the next one
/// takes over. Items that must be handed over (an unacknowledged alarm, a visitor still inside)
/// are flagged: an item not handed over is a fault.
public struct HandoverRecord: Codable, Sendable, Hashable {
    public struct AlarmLine: Codable, Sendable, Hashable {
        public var id: Int
        public var source: String
        public var name: String
        public var condition: String
        public var priority: String
        public var state: String
        public var shelved: Bool
        public var raisedAt: Date
        public var acknowledgedBy: String?
        public var notes: [String]
        public init(_ a: Alarm) {
            id = a.id
            source = a.source.description
            name = a.name
            condition = a.condition.rawValue
            priority = a.priority.rawValue
            state = a.state.rawValue
            shelved = a.shelved != nil
            raisedAt = a.raisedAt
            acknowledgedBy = a.acknowledgedBy
            notes = a.notes.map { "\($0.user): \($0.text)" }
        }
    }
    public struct SensorRange: Codable, Sendable, Hashable {
        public var sensor: String
        public var name: String
        public var min: Double?
        public var max: Double?
        public init(sensor: String, name: String, min: Double?, max: Double?) {
            self.sensor = sensor
            self.name = name
            self.min = min
            self.max = max
        }
    }
    public var id: Int64 = 0
    public var site: String
    public var from: String
    public var to: String
    public var note: String?
    public var shift: String?
    public var windowStart: Date
    public var windowEnd: Date
    /// The site's timezone (IANA), in which the record prints.
    public var timezone: String?
    /// Alarms raised during the shift, with how they were handled.
    public var alarmsRaised: [AlarmLine] = []
    /// Alarms open now (active, unacknowledged or awaiting reset).
    public var openAlarms: [AlarmLine] = []
    public var outOfService: [String] = []
    /// Shelved alarms: hidden from the operators' view until they come back by themselves.
    public var shelved: [String] = []
    public var selfTests: [String] = []
    public var equipmentChecks: [String] = []
    public var openRepairs: [Repair] = []
    public var sensors: [SensorRange] = []
    public var recorders: [String] = []
    public var holds: [RetentionHold] = []
    public var visitors: [Visitor] = []
    /// Visitors inside who wait for their named approver's own `visitor approve` (their count is
    /// this list's length); absent from a record made before it was kept.
    public var visitorsAwaitingApproval: [VisitorAwaitingApproval]?
    public var playback: [PlaybackRequest] = []
    /// What the incoming shift must take over explicitly.
    public var mustHandOver: [String] = []

    public init(site: String, from: String, to: String, note: String?, shift: String?, windowStart: Date, windowEnd: Date) {
        self.site = site
        self.from = from
        self.to = to
        self.note = note
        self.shift = shift
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    /// Flags what must be handed over: unacknowledged alarms and visitors still inside (saying
    /// which of them nobody has approved yet, and whose approval they wait for).
    public mutating func flag() {
        mustHandOver = openAlarms.filter { $0.state == "unacknowledged" || $0.state == "returned-unacknowledged" }
            .map { "UNACKNOWLEDGED alarm #\($0.id) \($0.name) (\($0.source) \($0.condition), \($0.priority))\($0.shelved ? ", shelved" : "")" }
            + visitors.filter(\.inside).map { v in
                "VISITOR STILL INSIDE #\(v.id) \(v.name) (\(v.org)), "
                    + (v.awaitingApprovalBy.map { "AWAITING APPROVAL by \(v.approvedBy) (\($0)): watchroomctl visitor approve \(v.id), run by them" }
                        ?? "approved by \(v.approvedBy)")
            }
    }
}

/// The handover as text or Markdown.
public enum HandoverText {
    public static func render(_ h: HandoverRecord, markdown: Bool, timezone fallback: TimeZone) -> String {
        let tz = h.timezone.flatMap(TimeZone.init(identifier:)) ?? fallback
        func t(_ d: Date?) -> String { SiteTime.format(d, tz) }
        var out: [String] = []
        func section(_ title: String, _ lines: [String], empty: String = "none") {
            out.append(markdown ? "\n## \(title)" : "\n\(title)")
            if lines.isEmpty { out.append(markdown ? "- \(empty)" : "  \(empty)") }
            for l in lines { out.append(markdown ? "- \(l)" : "  \(l)") }
        }
        let title = "交接班记录 Shift handover #\(h.id) · \(h.site)"
        out.append(markdown ? "# \(title)" : title)
        out.append("\(h.from) → \(h.to)\(h.shift.map { " · \($0) shift" } ?? "") · \(t(h.windowStart)) – \(t(h.windowEnd))"
                   + " (\(tz.identifier), \(SiteClock.offsetText(SiteClock.of(tz).offset(at: h.windowEnd))))")
        if let note = h.note, !note.isEmpty { out.append("note: \(note)") }
        if !h.mustHandOver.isEmpty {
            section("⚠ MUST BE HANDED OVER / 必须交接", h.mustHandOver.map { markdown ? "**\($0)**" : "!! \($0)" })
        }
        func alarm(_ a: HandoverRecord.AlarmLine) -> String {
            "#\(a.id) \(t(a.raisedAt)) \(a.name) \(a.source) \(a.condition) [\(a.priority)] \(a.state)\(a.shelved ? " (shelved)" : "")"
                + (a.acknowledgedBy.map { ", ack \($0)" } ?? "") + (a.notes.isEmpty ? "" : "; notes: " + a.notes.joined(separator: " | "))
        }
        section("Alarms raised this shift (\(h.alarmsRaised.count))", h.alarmsRaised.map(alarm))
        section("Open alarms now (\(h.openAlarms.count))", h.openAlarms.map(alarm))
        section("Shelved", h.shelved)
        section("Out of service", h.outOfService)
        section("Zone self-test", h.selfTests, empty: "no self-test this shift")
        section("Equipment check", h.equipmentChecks, empty: "no equipment check this shift")
        section("Open repairs (\(h.openRepairs.count))", h.openRepairs.map { "#\($0.id) \(t($0.requestedAt)) \($0.subject): \($0.text)" })
        section("Temperature and humidity", h.sensors.map { s in
            "\(s.name) (\(s.sensor)): min \(s.min.map { String(format: "%.1f", $0) } ?? "-"), max \(s.max.map { String(format: "%.1f", $0) } ?? "-")"
        }, empty: "no readings")
        section("Recorders and retention", h.recorders)
        section("Retention holds (\(h.holds.count))", h.holds.map { "\($0.recorder)/\($0.camera) \(t($0.from))–\(t($0.to)) until \(t($0.until)): \($0.reason)" })
        if let waiting = h.visitorsAwaitingApproval {
            section("Visitors awaiting approval (\(waiting.count))", waiting.map { $0.line(time: t) })
        }
        section("Visitors", h.visitors.map { v in
            "#\(v.id) \(v.name) (\(v.org)), \(v.purpose); \(v.awaitingApproval ? "AWAITING APPROVAL by" : "approved by") \(v.approvedBy); in \(t(v.inAt)), "
                + (v.outAt.map { "out \(t($0))" } ?? "STILL INSIDE")
        })
        section("Playback requests", h.playback.map { p in
            "#\(p.id) \(p.recorder)/\(p.camera) \(t(p.from))–\(t(p.to)) by \(p.requestedBy): \(p.reason); "
                + (p.approvedBy.map { "approved by \($0) \(t(p.approvedAt))" } ?? "NOT approved") + (p.viewings.isEmpty ? "" : "; viewed \(p.viewings.count)×")
        })
        return out.joined(separator: "\n") + "\n"
    }
}
