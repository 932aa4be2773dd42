import Access
import Alarms
import Control
import Foundation
import Journal
import Notify
import Records
import SiteConfig

/// The duty records behind the control API (site rules 8-10): retention holds, media rotation,
/// playback approval, visitors, repairs, the equipment operation log and the shift handover.
///
/// An adapter: each method reads what the rule needs from the journal, asks the rule (in
/// Records: what is allowed, what is refused and why, what is recorded), writes the result and
/// answers. Each record is written to the journal before it is answered.
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

    func recorder(_ id: String) throws -> Recorder { try DutyInput.recorder(id, in: config) }

    static func required(_ value: String?, _ what: String) throws -> String { try DutyInput.required(value, what) }

    /// A time as typed, in the site's timezone.
    func time(_ text: String?, _ what: String) throws -> Date { try DutyInput.time(text, what, timezone: timezone, now: now()) }

    // MARK: recordings

    func holds(all: Bool) async throws -> [RetentionHold] {
        let t = now()
        return try await journal.reading { try $0.holds(activeAt: t, includeExpired: all) }
    }

    /// `actor`: who calls (kept on the record with users; nil or trusted in trust mode).
    func requestPlayback(recorder id: String, camera: String?, from: Date, to: Date, by: String?, reason: String?,
                         actor: Actor? = nil) async throws -> PlaybackRequest {
        var request = try PlaybackRequest.asked(recorder: try recorder(id), camera: camera, from: from, to: to, by: by, reason: reason, at: now())
        request.requester = Self.known(actor)
        return try await journal.addPlaybackRequest(request)
    }

    /// With users the approver is the caller, whose role was checked (the director's, rule 8);
    /// in trust mode the typed name must be one of `recordings.approvers`.
    func approvePlayback(_ id: Int64, by: String?, actor: Actor? = nil) async throws -> PlaybackRequest {
        let known = Self.known(actor)
        let by = known != nil ? try DutyInput.required(by, "--by (the approver)") : try PlaybackRequest.approver(by, among: config.duty.playbackApprovers)
        let t = now()
        guard let updated = try await journal.updatePlaybackRequest(id, {
            try $0.approve(by: by, at: t)
            $0.approver = known
        }) else { throw PlaybackRequest.notFound(id) }
        return updated
    }

    func viewPlayback(_ id: Int64, by: String?, actor: Actor? = nil) async throws -> PlaybackRequest {
        let by = try PlaybackRequest.viewer(by)
        let t = now(), known = Self.known(actor)
        guard let updated = try await journal.updatePlaybackRequest(id, {
            try $0.view(by: by, at: t)
            $0.viewings[$0.viewings.count - 1].viewer = known
        }) else { throw PlaybackRequest.notFound(id) }
        return updated
    }

    /// The actor when the daemon knows who it is (a site user), nil for a typed, trusted name.
    static func known(_ actor: Actor?) -> Actor? { actor?.isTrusted == false ? actor : nil }

    func playbackLog() async throws -> [PlaybackRequest] { try await journal.reading { try $0.playbackRequests() } }

    // MARK: media

    func loadMedium(recorder id: String, medium: Int?, user: String?) async throws -> MediaLoad {
        let r = try recorder(id)
        let load = try MediaRotation.load(r, medium: medium, user: user, at: now())
        let tz = timezone
        // Asked inside the write transaction, so two loads cannot race.
        return try await journal.loadMedium(load) { loads, holds in try MediaRotation.mayLoad(r, load, loads: loads, holds: holds, timezone: tz) }
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

    /// With users the approver was checked by role already; `visitors.approvers` applies in trust mode.
    /// `awaiting`: the login of the named approver who must still confirm (nil: approved now, by
    /// the registering caller when known).
    func visitorIn(name: String?, org: String?, purpose: String?, approvedBy: String?, user: String?, actor: Actor? = nil,
                   awaiting: String? = nil) async throws -> Visitor {
        let known = Self.known(actor)
        let t = now()
        var visitor = try Visitor.entering(name: name, org: org, purpose: purpose, approvedBy: approvedBy,
                                           approvers: known == nil ? config.duty.visitorApprovers : [], registeredBy: user, at: t)
        visitor.registrar = known
        visitor.awaitingApprovalBy = awaiting
        if awaiting == nil, let known { (visitor.approver, visitor.approvedAt) = (known, t) }
        return try await journal.visitorIn(visitor)
    }

    /// The named approver confirms a visit (site rule 9): the caller, never a typed name.
    func approveVisitor(_ id: Int64, actor: Actor) async throws -> Visitor {
        let t = now()
        return try await journal.visitorApprove(id) { try Visitor.approved(id, $0, by: actor, at: t) }
    }

    func visitorOut(_ id: Int64, user: String?) async throws -> Visitor {
        try Visitor.signedOut(id, try await journal.visitorOut(id, by: user, at: now()))
    }

    func visitors(all: Bool) async throws -> [Visitor] {
        try await journal.reading { try $0.visitors(since: all ? .distantPast : nil) }
    }

    // MARK: repairs and the equipment log

    func closeRepair(_ id: Int64, note: String?, user: String?) async throws -> Repair {
        let (note, user) = try Repair.closing(note: note, user: user)
        return try Repair.closed(id, try await journal.closeRepair(id, by: user, note: note, at: now()))
    }

    func repairs(all: Bool) async throws -> [Repair] { try await journal.reading { try $0.repairs(since: all ? .distantPast : nil) } }

    /// The equipment operation log: device and equipment alarms, recorder status, checks, repairs.
    func equipmentLog(since: Date) async throws -> [EquipmentLogEntry] {
        let (events, repairs) = try await journal.reading { j in (try j.equipmentEvents(since: since), try j.repairs(since: since)) }
        return EquipmentLog.lines(events: events, repairs: repairs, since: since)
            .map { EquipmentLogEntry(time: $0.time, subject: $0.subject, text: $0.text, user: $0.user) }
    }

    // MARK: handover

    /// Builds, journals and returns the handover from `from` to `to` (see `HandoverWindow` for the
    /// time it covers and `HandoverComposer` for what it holds).
    func handover(from: String?, to: String?, note: String?) async throws -> HandoverRecord {
        let from = try DutyInput.required(from, "--from (who hands over)")
        let to = try DutyInput.required(to, "--to (who takes over)")
        let t = now()
        let roster = ShiftRoster(config: config)
        let last = try await journal.reading { try $0.handover(nil) }
        let window = HandoverWindow(lastHandoverEnd: last?.windowEnd, now: t, shiftStart: roster.shiftStart(at:))

        await alarms.flushSamples()
        let open = await alarms.openAlarms
        let control = await alarms.zoneControl
        let retention = await alarms.retention
        let start = window.start, sensors = config.sensors
        let data = try await journal.reading { j in
            (raised: try j.alarmsRaised(since: start),
             checks: try j.events(kinds: ["self-test-result", "self-test-finished", "equipment-check"], from: start, to: t.addingTimeInterval(1)),
             repairs: try j.repairs(since: nil),
             holds: try j.holds(activeAt: t),
             visitors: try j.visitors(since: start),
             playback: try j.playbackRequests(since: start),
             samples: try sensors.map { s in (s.id, try j.samples(sensor: s.id, span: .minute, since: start.addingTimeInterval(-60))) })
        }
        let inputs = HandoverComposer.Inputs(
            from: from, to: to, note: note, shift: roster.onDuty(at: window.shiftInstant)?.name, window: window,
            openAlarms: open, zoneControl: control, retention: retention, alarmsRaised: data.raised, checks: data.checks,
            openRepairs: data.repairs, holds: data.holds, visitors: data.visitors, playback: data.playback,
            sensorSamples: Dictionary(data.samples.map { ($0.0, $0.1.map { (min: $0.min, max: $0.max) }) }) { a, _ in a },
            media: try await mediaStatus())
        return try await journal.addHandover(HandoverComposer(config: config).record(inputs))
    }

    func handoverRecord(_ id: Int64?) async throws -> HandoverRecord {
        guard let h = try await journal.reading({ try $0.handover(id) }) else { throw HandoverRecord.notFound(id) }
        return h
    }
}
