public import Alarms
public import Foundation
public import SiteConfig

/// The window a handover covers: from the last handover (however late it was), else from the
/// start of the shift on duty a little before now (a first handover at 08:02 hands over the
/// night), at most a week back; it ends now.
public struct HandoverWindow: Sendable, Hashable {
    public let start: Date
    public let end: Date

    /// `shiftStart` tells when the shift on duty at an instant began (nil: no shift then).
    public init(lastHandoverEnd: Date?, now: Date, shiftStart: (Date) -> Date?) {
        // A handover a few minutes into the next shift still hands over the one before it.
        let before = now.addingTimeInterval(-15 * 60)
        let start = lastHandoverEnd ?? shiftStart(before) ?? now.addingTimeInterval(-12 * 3600)
        self.start = max(min(start, now), now.addingTimeInterval(-7 * 86400))
        end = now
    }

    /// The instant whose shift is handed over: a minute into the window.
    public var shiftInstant: Date { start.addingTimeInterval(60) }
}

/// Builds a handover record (site rule 10) from what the daemon and the journal say at one moment.
public struct HandoverComposer: Sendable {
    /// What goes into the record, read at one moment.
    public struct Inputs: Sendable {
        public var from: String
        public var to: String
        public var note: String?
        /// The name of the shift handed over.
        public var shift: String?
        public var window: HandoverWindow
        /// Alarms open now, with their shelving.
        public var openAlarms: [Alarm]
        public var zoneControl: [String: ZoneControl]
        /// The last retention check of each file-based recorder.
        public var retention: [String: RetentionStatus]
        /// Alarms raised or handled in the window, as they stand now.
        public var alarmsRaised: [Alarm]
        /// Self-test and equipment-check events of the window.
        public var checks: [AlarmEvent]
        public var openRepairs: [Repair]
        public var holds: [RetentionHold]
        public var visitors: [Visitor]
        public var playback: [PlaybackRequest]
        /// Per sensor id, the minimum and maximum of each stored sample bucket of the window.
        public var sensorSamples: [String: [(min: Double, max: Double)]]
        public var media: [MediaReport]

        public init(from: String, to: String, note: String?, shift: String?, window: HandoverWindow, openAlarms: [Alarm],
                    zoneControl: [String: ZoneControl], retention: [String: RetentionStatus], alarmsRaised: [Alarm],
                    checks: [AlarmEvent], openRepairs: [Repair], holds: [RetentionHold], visitors: [Visitor],
                    playback: [PlaybackRequest], sensorSamples: [String: [(min: Double, max: Double)]], media: [MediaReport]) {
            self.from = from
            self.to = to
            self.note = note
            self.shift = shift
            self.window = window
            self.openAlarms = openAlarms
            self.zoneControl = zoneControl
            self.retention = retention
            self.alarmsRaised = alarmsRaised
            self.checks = checks
            self.openRepairs = openRepairs
            self.holds = holds
            self.visitors = visitors
            self.playback = playback
            self.sensorSamples = sensorSamples
            self.media = media
        }
    }

    public let config: SiteConfig
    public init(config: SiteConfig) { self.config = config }

    var timezone: TimeZone { TimeZone(identifier: config.timezone) ?? .gmt }

    /// The record, flagged (`HandoverRecord.flag`), ready to journal.
    public func record(_ i: Inputs) -> HandoverRecord {
        let tz = timezone
        var h = HandoverRecord(site: config.siteName, from: i.from, to: i.to, note: i.note, shift: i.shift,
                               windowStart: i.window.start, windowEnd: i.window.end)
        h.timezone = config.timezone
        h.alarmsRaised = i.alarmsRaised.map(HandoverRecord.AlarmLine.init)
        h.openAlarms = i.openAlarms.map(HandoverRecord.AlarmLine.init)
        h.shelved = i.openAlarms.compactMap { a in
            a.shelved.map { "#\(a.id) \(a.name) (\(a.source)) shelved by \($0.user) until \(SiteTime.format($0.until, tz)): \($0.reason)" }
        }
        h.outOfService = i.zoneControl.filter(\.value.outOfService).sorted { $0.key < $1.key }.map { id, c in
            "\(id) \(config.zone(id: id)?.name ?? ""): out of service since \(SiteTime.format(c.outOfServiceAt, tz)) by \(c.outOfServiceBy ?? "?")\(c.outOfServiceReason.map { ", \($0)" } ?? "")"
        }
        h.selfTests = i.checks.filter { $0.kind != .equipmentCheck }.map { e in
            "\(SiteTime.format(e.time, tz)) \(e.zone.map { "\($0) " } ?? "")\(e.text ?? e.kind.rawValue)"
        }
        // Passed items are not handed over: only what failed, and the summary.
        h.equipmentChecks = i.checks.filter { $0.kind == .equipmentCheck && ($0.text?.hasPrefix("pass") != true) }.map { e in
            "\(SiteTime.format(e.time, tz)) \(e.text ?? "")\(e.user.map { " (\($0))" } ?? "")"
        }
        h.openRepairs = i.openRepairs
        for s in config.sensors {
            let buckets = i.sensorSamples[s.id] ?? []
            h.sensors.append(.init(sensor: s.id, name: s.name, min: buckets.map(\.min).min(), max: buckets.map(\.max).max()))
        }
        h.recorders = config.recorders.map { recorderLine($0, i) }
        h.holds = i.holds
        h.visitors = i.visitors
        h.visitorsAwaitingApproval = VisitorAwaitingApproval.waiting(i.visitors)
        h.playback = i.playback
        h.flag()
        return h
    }

    /// A recorder's line: its rule, whether its storage keeps it, its media rotation and its open status alarms.
    func recorderLine(_ r: Recorder, _ i: Inputs) -> String {
        var line = "\(r.id) \(r.name): rule \(r.retentionDays) days"
        if let s = i.retention[r.id] {
            line += s.ok ? ", compliant" : ", NOT compliant"
            line += "; " + s.findings.map(\.text).joined(separator: "; ")
        } else if r.storagePath != nil {
            line += ", storage not checked yet"
        }
        if let report = i.media.first(where: { $0.recorder == r.id }) {
            line += "; media: \(report.summary)"
        }
        let statusEquipment = Set(config.equipment.filter { e in r.status.values.contains(e.input) }.map(\.id))
        let openStatus = i.openAlarms.filter {
            ($0.source.kind == .system && $0.source.id == "recorder-\(r.id)") || ($0.source.kind == .equipment && statusEquipment.contains($0.source.id))
        }
        if !openStatus.isEmpty { line += "; alarms: " + openStatus.map { $0.name }.joined(separator: ", ") }
        return line
    }
}

extension HandoverRecord {
    /// The refusal for a handover the journal does not have (`id` nil: the last one, and there is none).
    public static func notFound(_ id: Int64?) -> CommandRefusal {
        CommandRefusal(.notFound, id.map { "no handover \($0)" } ?? "no handover has been recorded yet")
    }
}
