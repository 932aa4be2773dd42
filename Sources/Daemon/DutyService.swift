import Alarms
import Control
import Foundation
import Journal
import Notify
import Records
import SiteConfig

/// The duty records behind the control API (site rules 8-10): retention holds, media rotation,
/// playback approval, visitors, repairs, the equipment operation log and the shift handover.
/// Each record is written to the journal before it is answered.
struct DutyService: Sendable {
    let config: SiteConfig
    let journal: Journal
    let alarms: AlarmService
    let now: @Sendable () -> Date

    init(config: SiteConfig, journal: Journal, alarms: AlarmService, now: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.journal = journal
        self.alarms = alarms
        self.now = now
    }

    var timezone: TimeZone { TimeZone(identifier: config.timezone) ?? .gmt }

    func recorder(_ id: String) throws -> Recorder {
        guard let r = config.recorders.first(where: { $0.id == id }) else {
            throw CommandRefusal(.notFound, "no recorder '\(id)' in the site config (recorders: \(config.recorders.map(\.id).joined(separator: ", ")))")
        }
        return r
    }

    static func required(_ value: String?, _ what: String) throws -> String {
        guard let v = value?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
            throw CommandRefusal(.invalid, "\(what) is required")
        }
        return v
    }

    /// A time as typed, in the site's timezone.
    func time(_ text: String?, _ what: String) throws -> Date {
        guard let text, !text.isEmpty else { throw CommandRefusal(.invalid, "\(what) is required (e.g. \"2026-11-21 19:00\" or 24h)") }
        guard let d = SiteTime.parse(text, timezone: timezone, now: now()) else {
            throw CommandRefusal(.invalid, "\(what) '\(text)' is not a time: use YYYY-MM-DD HH:MM (site time), an RFC 3339 time, or a span like 24h or 7d")
        }
        return d
    }

    // MARK: recordings

    func holds(all: Bool) async throws -> [RetentionHold] {
        let t = now()
        return try await journal.reading { try $0.holds(activeAt: t, includeExpired: all) }
    }

    func requestPlayback(recorder id: String, camera: String?, from: Date, to: Date, by: String?, reason: String?) async throws -> PlaybackRequest {
        let r = try recorder(id)
        let camera = try Self.required(camera, "--camera")
        guard r.cameras.contains(camera) else {
            throw CommandRefusal(.invalid, "camera '\(camera)' is not on recorder \(r.id) (cameras: \(r.cameras.joined(separator: ", ")))")
        }
        guard from < to else { throw CommandRefusal(.invalid, "--from must be before --to") }
        let by = try Self.required(by, "--by (who asks)")
        let reason = try Self.required(reason, "--reason")
        return try await journal.addPlaybackRequest(PlaybackRequest(recorder: r.id, camera: camera, from: from, to: to,
                                                                    requestedBy: by, reason: reason, requestedAt: now()))
    }

    func approvePlayback(_ id: Int64, by: String?) async throws -> PlaybackRequest {
        let by = try Self.required(by, "--by (the approver)")
        let approvers = config.duty.playbackApprovers
        guard approvers.contains(by) else {
            throw CommandRefusal(.invalid, approvers.isEmpty
                ? "no playback approvers are configured (recordings: {approvers: [...]} in the site config); \(by) cannot approve"
                : "\(by) may not approve playback; approvers: \(approvers.joined(separator: ", "))")
        }
        let t = now()
        let updated = try await journal.updatePlaybackRequest(id) { r in
            guard r.approvedBy == nil else { throw CommandRefusal(.illegalTransition, "playback request \(id) was already approved by \(r.approvedBy!)") }
            guard r.requestedBy != by else { throw CommandRefusal(.invalid, "\(by) asked for playback request \(id) and cannot also approve it") }
            r.approvedBy = by
            r.approvedAt = t
        }
        guard let updated else { throw CommandRefusal(.notFound, "no playback request \(id) (see watchroomctl recordings log)") }
        return updated
    }

    func viewPlayback(_ id: Int64, by: String?) async throws -> PlaybackRequest {
        let by = try Self.required(by, "--by (who views)")
        let t = now()
        let updated = try await journal.updatePlaybackRequest(id) { r in
            guard r.approvedBy != nil else {
                throw CommandRefusal(.illegalTransition, "playback request \(id) is not approved yet; viewing needs the director's approval")
            }
            r.viewings.append(.init(by: by, at: t))
        }
        guard let updated else { throw CommandRefusal(.notFound, "no playback request \(id) (see watchroomctl recordings log)") }
        return updated
    }

    func playbackLog() async throws -> [PlaybackRequest] { try await journal.reading { try $0.playbackRequests() } }

    // MARK: media

    func loadMedium(recorder id: String, medium: Int?, user: String?) async throws -> MediaLoad {
        let r = try recorder(id)
        guard let medium else { throw CommandRefusal(.invalid, "the medium number is required") }
        let user = try Self.required(user, "--user")
        let t = now(), tz = timezone
        do {
            return try await journal.loadMedium(MediaLoad(recorder: r.id, medium: medium, loadedAt: t, user: user)) { loads, holds in
                try MediaRotation.checkLoad(r, medium: medium, loads: loads, holds: holds, now: t, timezone: tz)
            }
        } catch let refusal as MediaRotation.Refusal {
            throw CommandRefusal(.illegalTransition, refusal.description)
        }
    }

    func mediaStatus() async throws -> [MediaReport] {
        let t = now()
        var out: [MediaReport] = []
        for r in config.recorders where (r.media ?? 0) > 0 {
            let (loads, holds) = try await journal.reading { j in (try j.mediaLoads(recorder: r.id), try j.holds(activeAt: t)) }
            out.append(MediaRotation.report(r, loads: loads, holds: holds, now: t))
        }
        return out
    }

    // MARK: visitors

    func visitorIn(name: String?, org: String?, purpose: String?, approvedBy: String?, user: String?) async throws -> Visitor {
        let name = try Self.required(name, "--name")
        let org = try Self.required(org, "--org")
        let purpose = try Self.required(purpose, "--purpose")
        guard let approver = approvedBy?.trimmingCharacters(in: .whitespacesAndNewlines), !approver.isEmpty else {
            throw CommandRefusal(.invalid, "an outsider enters the monitoring room only with approval (site rule 9): --approved-by is required")
        }
        let allowed = config.duty.visitorApprovers
        if !allowed.isEmpty && !allowed.contains(approver) {
            throw CommandRefusal(.invalid, "\(approver) may not approve a visit; approvers: \(allowed.joined(separator: ", "))")
        }
        return try await journal.visitorIn(Visitor(name: name, org: org, purpose: purpose, approvedBy: approver,
                                                   registeredBy: user, inAt: now()))
    }

    func visitorOut(_ id: Int64, user: String?) async throws -> Visitor {
        guard let (v, wasInside) = try await journal.visitorOut(id, by: user, at: now()) else {
            throw CommandRefusal(.notFound, "no visitor \(id) (see watchroomctl visitor list)")
        }
        guard wasInside else { throw CommandRefusal(.illegalTransition, "visitor \(id) \(v.name) already left") }
        return v
    }

    func visitors(all: Bool) async throws -> [Visitor] {
        try await journal.reading { try $0.visitors(since: all ? .distantPast : nil) }
    }

    // MARK: repairs and the equipment log

    func closeRepair(_ id: Int64, note: String?, user: String?) async throws -> Repair {
        let note = try Self.required(note, "--note (what was repaired)")
        let user = try Self.required(user, "--user")
        guard let (r, wasOpen) = try await journal.closeRepair(id, by: user, note: note, at: now()) else {
            throw CommandRefusal(.notFound, "no repair \(id) (see watchroomctl repair list)")
        }
        guard wasOpen else { throw CommandRefusal(.illegalTransition, "repair \(id) was already closed by \(r.closedBy ?? "?")") }
        return r
    }

    func repairs(all: Bool) async throws -> [Repair] { try await journal.reading { try $0.repairs(since: all ? .distantPast : nil) } }

    /// The equipment operation log: device and equipment alarms, recorder status, checks, repairs.
    func equipmentLog(since: Date) async throws -> [EquipmentLogEntry] {
        let (events, repairs) = try await journal.reading { j in (try j.equipmentEvents(since: since), try j.repairs(since: since)) }
        var out: [EquipmentLogEntry] = events.map { e in
            let what = e.alarm.map { "\($0.source.kind == .system ? "recorder" : $0.source.kind.rawValue) \($0.source.kind == .system ? String($0.source.id.dropFirst(9)) : $0.source.id)" }
                ?? (e.kind == .selfTestResult ? "zone \(e.zone ?? "?")" : e.kind == .retentionPruned ? "retention" : "equipment check")
            let text = e.alarm.map { "\(e.kind.rawValue): \($0.name) \($0.condition.rawValue)\($0.value.map { " (\($0))" } ?? "")\(e.text.map { " · \($0)" } ?? "")" }
                ?? "\(e.kind.rawValue): \(e.text ?? "")"
            return EquipmentLogEntry(time: e.time, subject: what, text: text, user: e.user)
        }
        for r in repairs {
            if r.requestedAt >= since { out.append(EquipmentLogEntry(time: r.requestedAt, subject: r.subject, text: "repair #\(r.id) requested: \(r.text)", user: nil)) }
            if let c = r.closedAt, c >= since {
                out.append(EquipmentLogEntry(time: c, subject: r.subject, text: "repair #\(r.id) closed: \(r.note ?? "")", user: r.closedBy))
            }
        }
        return out.sorted { $0.time < $1.time }
    }

    // MARK: handover

    /// Builds, journals and returns the handover from `from` to `to`: the window runs from the
    /// last handover (or the start of the shift being handed over) to now.
    func handover(from: String?, to: String?, note: String?) async throws -> HandoverRecord {
        let from = try Self.required(from, "--from (who hands over)")
        let to = try Self.required(to, "--to (who takes over)")
        let t = now()
        let roster = ShiftRoster(config: config)
        // The shift being handed over: the one on duty a little before now (a handover at 08:02 hands over the night).
        // The window starts at the last handover (however late it was), else at the start of the shift on duty
        // a little before now (a first handover at 08:02 hands over the night); at most a week back.
        let last = try await journal.reading { try $0.handover(nil) }
        let before = t.addingTimeInterval(-15 * 60)
        var start = last.map(\.windowEnd) ?? roster.shiftStart(at: before) ?? t.addingTimeInterval(-12 * 3600)
        start = max(min(start, t), t.addingTimeInterval(-7 * 86400))
        let shift = roster.onDuty(at: start.addingTimeInterval(60))
        var h = HandoverRecord(site: config.siteName, from: from, to: to, note: note, shift: shift?.name, windowStart: start, windowEnd: t)
        h.timezone = config.timezone

        await alarms.flushSamples()
        let open = await alarms.openAlarms
        let control = await alarms.zoneControl
        let retention = await alarms.retention
        let window = start
        let data = try await journal.reading { j in
            (raised: try j.alarmsRaised(since: window),
             events: try j.events(kinds: ["self-test-result", "self-test-finished", "equipment-check"], from: window, to: t.addingTimeInterval(1)),
             repairs: try j.repairs(since: nil),
             holds: try j.holds(activeAt: t),
             visitors: try j.visitors(since: window),
             playback: try j.playbackRequests(since: window),
             samples: try config.sensors.map { try j.samples(sensor: $0.id, span: .minute, since: window.addingTimeInterval(-60)) })
        }
        h.alarmsRaised = data.raised.map(HandoverRecord.AlarmLine.init)
        h.openAlarms = open.map(HandoverRecord.AlarmLine.init)
        h.shelved = open.compactMap { a in
            a.shelved.map { "#\(a.id) \(a.name) (\(a.source)) shelved by \($0.user) until \(SiteTime.format($0.until, timezone)): \($0.reason)" }
        }
        h.outOfService = control.filter(\.value.outOfService).sorted { $0.key < $1.key }.map { id, c in
            "\(id) \(config.zones.first { $0.id == id }?.name ?? ""): out of service since \(SiteTime.format(c.outOfServiceAt, timezone)) by \(c.outOfServiceBy ?? "?")\(c.outOfServiceReason.map { ", \($0)" } ?? "")"
        }
        h.selfTests = data.events.filter { $0.kind != .equipmentCheck }.map { e in
            "\(SiteTime.format(e.time, timezone)) \(e.zone.map { "\($0) " } ?? "")\(e.text ?? e.kind.rawValue)"
        }
        h.equipmentChecks = data.events.filter { $0.kind == .equipmentCheck && ($0.text?.hasPrefix("pass") != true) }.map { e in
            "\(SiteTime.format(e.time, timezone)) \(e.text ?? "")\(e.user.map { " (\($0))" } ?? "")"
        }
        h.openRepairs = data.repairs
        for (s, buckets) in zip(config.sensors, data.samples) {
            h.sensors.append(.init(sensor: s.id, name: s.name, min: buckets.map(\.min).min(), max: buckets.map(\.max).max()))
        }
        let media = try await mediaStatus()
        for r in config.recorders {
            var line = "\(r.id) \(r.name): rule \(r.retentionDays) days"
            if let s = retention[r.id] {
                line += s.ok ? ", compliant" : ", NOT compliant"
                line += "; " + s.findings.map(\.text).joined(separator: "; ")
            } else if r.storagePath != nil {
                line += ", storage not checked yet"
            }
            if let report = media.first(where: { $0.recorder == r.id }) {
                line += "; media: \(report.summary)"
            }
            let statusEquipment = Set(config.equipment.filter { e in r.status.values.contains(e.input) }.map(\.id))
            let openStatus = open.filter {
                ($0.source.kind == .system && $0.source.id == "recorder-\(r.id)") || ($0.source.kind == .equipment && statusEquipment.contains($0.source.id))
            }
            if !openStatus.isEmpty { line += "; alarms: " + openStatus.map { $0.name }.joined(separator: ", ") }
            h.recorders.append(line)
        }
        h.holds = data.holds
        h.visitors = data.visitors
        h.playback = data.playback
        h.flag()
        return try await journal.addHandover(h)
    }

    func handoverRecord(_ id: Int64?) async throws -> HandoverRecord {
        guard let h = try await journal.reading({ try $0.handover(id) }) else {
            throw CommandRefusal(.notFound, id.map { "no handover \($0)" } ?? "no handover has been recorded yet")
        }
        return h
    }
}
