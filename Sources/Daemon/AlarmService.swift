public import Alarms
public import Foundation
public import Journal
public import Logging
public import Notify
public import Polling
public import Records
public import SiteConfig

/// The single writer: owns the alarm engine, commits each step to the journal before anyone
/// is told, then logs and broadcasts it.
public actor AlarmService {
    public let config: SiteConfig
    private var engine: AlarmEngine
    private var tracker: StateTracker
    private var samples = SampleAggregator()
    let journal: Journal
    private let logger: Logger
    let broadcaster = EventBroadcaster()
    private let now: @Sendable () -> Date
    /// Writes for the poller (panel resets), taken by the monitor.
    private(set) var pendingWrites: [PointWrite] = []
    public private(set) var lastProgress = Date()
    private let planner: NotificationPlanner
    /// Batches whose commit failed (disk full, a long-held lock): retried, in order, before the next.
    private var unwritten: (events: [AlarmEvent], zones: [String: ZoneControl], samples: [SampleBucket], outbox: [OutboxInsert],
                            holds: [HoldChange], repairs: [Repair])?
    private let holdPlanner: HoldPlanner
    /// The last retention check of each file-based recorder.
    public private(set) var retention: [String: RetentionStatus] = [:]
    /// The last commit in flight: each waits for the one before, so sequence numbers follow the engine.
    private var commitChain: Task<[AlarmEvent], any Error>?
    /// When each device last answered (freshness for the equipment check).
    private var lastGoodScan: [String: Date] = [:]
    private var delivery: DeliveryService?

    public init(config: SiteConfig, journal: Journal, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.config = config
        self.journal = journal
        self.logger = logger
        self.now = now
        let state = try journal.loadState()
        engine = AlarmEngine(config: config, restoring: state.openAlarms, zoneControl: state.zoneControl,
                             nextID: state.nextAlarmID, now: now(), resumingFrom: try journal.lastEventTime(),
                             lastCompleteSelfTest: try journal.lastCompleteSelfTest())
        engine.restoreActivations(state.recentActivations, at: now())
        engine.selfTestSettings.timeout = TimeInterval(config.selfTestTimeoutSeconds)
        engine.selfTestSettings.walkWindow = config.walkTestWindowMinutes * 60
        tracker = StateTracker(config: config)
        planner = NotificationPlanner(config: config)
        holdPlanner = HoldPlanner(config: config)
        // A restart (or reload) in the middle of a self-test must not leave a test relay holding a loop open.
        pendingWrites = engine.testOutputsAtRest
        if !state.openAlarms.isEmpty {
            logger.notice("restored \(state.openAlarms.count) open alarms from the journal (last event #\(state.lastSeq))")
        }
    }

    /// Commits what the restore implies (alarms of sources removed from the config return).
    public func reconcileWithConfig() async {
        await commit(engine.returnRemovedSources(at: now()), samples: [])
    }

    /// One batch of poll results: conditions, alarms, sensor history, one commit.
    public func ingest(_ events: [PollEvent]) async {
        let t = now()
        var changes: [StateChange] = []
        var buckets: [SampleBucket] = []
        for event in events {
            guard case .scan(let scan) = event else { continue }
            changes += tracker.apply(scan)
            guard scan.succeeded else { continue }
            lastGoodScan[scan.device] = scan.time
            for sensor in config.sensors where sensor.input.device == scan.device {
                if let v = scan.values[sensor.input.point]?.readings[safe: sensor.input.index]?.numberValue, v.isFinite {
                    buckets += samples.add(sensor: sensor.id, value: v, at: scan.time)
                }
            }
        }
        for change in changes {
            if let (level, text) = ChangeLog.entry(change, site: config) { logger.log(level: level, "\(text)") }
        }
        let output = engine.apply(changes, at: t)
        await commit(output, samples: buckets)
    }

    /// An operator command: refused with a reason, or journaled before it is answered.
    public func command(_ command: OperatorCommand) async throws -> [AlarmEvent] {
        let output = try engine.command(command, at: now())
        return await commit(output, samples: [])
    }

    /// Compares the wall clock with the monotonic one on every tick (see `ClockWatch`).
    private var clockWatch = ClockWatch()

    public func tick() async {
        let t = now()
        var output = EngineOutput()
        // A set clock moves every pending timer with it and is journaled (GB 12663), before the tick.
        if let step = clockWatch.observe(wall: t, monotonic: .now) {
            tracker.clockSet(step)
            output = engine.clockSet(step)
        }
        let ticked = engine.tick(at: t)
        output.events += ticked.events
        output.writes += ticked.writes
        await commit(output, samples: [])
    }

    /// Raises or returns a system alarm (self-test missed, delivery failure).
    public func system(_ id: String, _ condition: AlarmCondition, name: String, active: Bool, detail: String? = nil) async {
        let output = engine.system(id, condition, name: name, active: active, detail: detail, at: now())
        await commit(output, samples: [])
    }

    @discardableResult
    private func commit(_ output: EngineOutput, samples buckets: [SampleBucket]) async -> [AlarmEvent] {
        lastProgress = now()
        pendingWrites += output.writes
        guard !output.events.isEmpty || !buckets.isEmpty || unwritten != nil else { return [] }
        let zones = Set(output.events.compactMap(\.zone))
        let control = engine.zoneControl.filter { zones.contains($0.key) }
        // Notifications are outbox rows written in the same transaction as the events causing them.
        let planned = planner.plan(output.events)
        let t = now()
        let outbox = planned.compactMap { p in
            (try? NotifyJSON.encoder.encode(p.notification)).map { OutboxInsert(target: p.target, body: $0, createdAt: t) }
        }
        // Retention holds for zone alarms with cameras, repair requests for faults: same transaction.
        var holds = holdPlanner.plan(output.events), repairs = RepairPlanner.plan(output.events)
        // Anything a failed commit left behind goes first, in order.
        var events = output.events, zoneRows = control, sampleRows = buckets, outboxRows = outbox
        if let u = unwritten {
            events = u.events + events
            zoneRows = u.zones.merging(zoneRows) { $1 }
            sampleRows = u.samples + sampleRows
            outboxRows = u.outbox + outboxRows
            holds = u.holds + holds
            repairs = u.repairs + repairs
            unwritten = nil
        }
        // An unstructured task: a commit already decided must finish even while the daemon is being
        // stopped; chained after the previous one, so commits land in the engine's order.
        let journal = self.journal, previous = commitChain
        let batch = (events: events, zones: zoneRows, samples: sampleRows, outbox: outboxRows, holds: holds, repairs: repairs)
        let task = Task {
            _ = try? await previous?.value
            return try await journal.commit(batch.events, zoneControl: batch.zones, samples: batch.samples, outbox: batch.outbox,
                                            holds: batch.holds, repairs: batch.repairs)
        }
        commitChain = task
        do {
            let committed = try await task.value
            for e in committed { log(e) }
            logNotifications(committed)
            broadcaster.publish(committed)
            if !outboxRows.isEmpty { delivery?.nudge() }
            return committed
        } catch {
            // Kept in memory and retried with the next commit (the tick comes every second).
            unwritten = batch
            logger.critical("journal write failed (\(journal.path)): \(error); \(events.count) events kept in memory and retried")
            for e in output.events { log(e) }
            logNotifications(output.events)
            broadcaster.publish(output.events)
            return output.events
        }
    }

    private func log(_ e: AlarmEvent) {
        logger.log(level: .notice, "\(EventText.line(e, site: config))")
    }

    /// The log target, always on: one line per notification to the shift leader, at the alarm's syslog level.
    private func logNotifications(_ events: [AlarmEvent]) {
        for e in events where (e.kind == .selfTestResult || e.kind == .equipmentCheck) && e.text?.hasPrefix("fail") == true {
            let n = planner.repair(e)
            let who = n.recipients.map { "\($0.name)\($0.mobile.map { " \($0)" } ?? "")" }.joined(separator: ", ")
            logger.error("NOTIFY \(who.isEmpty ? "(no shift configured)" : who): \(n.title)")
        }
        for e in events {
            guard let alarm = e.alarm, alarm.shelved == nil,
                  [.raised, .reactivated, .escalated].contains(e.kind) else { continue }
            let kind: Notify.Notification.Kind = e.kind == .escalated ? .escalated : e.kind == .raised ? (alarm.condition == .deliveryFailure ? .deliveryFailure : .raised) : .reactivated
            let n = planner.notification(kind, alarm: alarm, event: e)
            let who = n.recipients.map { "\($0.name)\($0.mobile.map { " \($0)" } ?? "")" }.joined(separator: ", ")
            let level: Logger.Level = switch alarm.priority {
            case .critical: .critical
            case .high: .error
            case .medium: .warning
            case .low: .notice
            case .info: .info
            }
            logger.log(level: level, "NOTIFY \(who.isEmpty ? "(no shift configured)" : who)\(n.shift.map { " [\($0) shift]" } ?? ""): \(n.title)")
        }
    }

    public func nudgeDelivery() { delivery?.nudge() }

    /// Connects the delivery service, so new outbox rows go out at once.
    public func attach(_ delivery: DeliveryService) { self.delivery = delivery }

    /// A target dead-lettered (or recovered): raise (or return) its delivery-failure alarm,
    /// which notifies the log and the other targets.
    public func deliveryFailure(target: String, failing: Bool, reason: String) async {
        let output = engine.system("notify-\(target)", .deliveryFailure, name: "通知通道 \(target) 投递失败 / notify target \(target) failing",
                                   active: failing, detail: reason, at: now())
        await commit(output, samples: [])
    }

    public func takeWrites() -> [PointWrite] {
        defer { pendingWrites.removeAll() }
        return pendingWrites
    }

    public func flushSamples() async {
        let buckets = samples.flush()
        await commit(EngineOutput(), samples: buckets)
    }

    // MARK: self-test and equipment check

    /// Starts a zone self-test; test outputs are written by the bus workers.
    public func startSelfTest(zones: [String], user: String) async throws -> [AlarmEvent] {
        let output = try engine.startSelfTest(zones: zones, user: user, at: now())
        return await commit(output, samples: [])
    }

    public var selfTestRun: SelfTestRun? { engine.selfTest }

    /// The morning equipment check (site rules 4-6): every device answers, every sensor is within
    /// its limits with a fresh value, every equipment point is normal, and the clock agrees with
    /// the journal. Each item is journaled; each failure asks for repair.
    public func equipmentCheck(user: String) async -> [AlarmEvent] {
        let t = now()
        var items: [(Bool, String)] = []
        for d in config.devices {
            let c = tracker.comm[d.id] ?? .unknown
            items.append((c == .ok, "device \(d.id)\(d.name.map { " \($0)" } ?? "") \(c == .ok ? "answers" : c == .lost ? "is comm-lost" : "has not answered yet")"))
        }
        for s in config.sensors {
            let band = tracker.sensors[s.id] ?? .unknown
            let value = tracker.sensorValues[s.id].map { String(format: "%.1f", $0) } ?? "-"
            let interval = config.bus(config.device(s.input.device)?.bus ?? "")?.pollInterval ?? .seconds(1)
            let freshFor = max(10, 3 * (Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18))
            let fresh = lastGoodScan[s.input.device].map { t.timeIntervalSince($0) < freshFor } ?? false
            let ok = band == .normal && fresh
            let why = !fresh ? "no fresh value" : band == .normal ? "within limits" : "\(band.rawValue), outside its limits"
            items.append((ok, "sensor \(s.id) \(s.name) \(value): \(why)"))
        }
        for e in config.equipment {
            let c = tracker.equipment[e.id] ?? .unknown
            items.append((c == .normal, "equipment \(e.id) \(e.name): \(c.rawValue)"))
        }
        for r in config.recorders where r.storagePath != nil {
            if let status = retention[r.id] {
                for f in status.findings { items.append((f.ok, "recorder \(r.id) \(r.name): \(f.text)")) }
            } else {
                items.append((false, "recorder \(r.id) \(r.name): storage not checked yet"))
            }
        }
        if let last = try? journal.lastEventTime() {
            let skew = last.timeIntervalSince(t)
            items.append((skew < 5, skew < 5 ? "clock agrees with the journal's last write" : "clock is \(Int(skew)) s behind the journal's last write (was it set back?)"))
        } else {
            items.append((true, "clock agrees with the journal's last write (no events yet)"))
        }
        let failed = items.filter { !$0.0 }.count
        var output = EngineOutput()
        for (ok, text) in items {
            output.events.append(AlarmEvent(kind: .equipmentCheck, time: t, user: user, text: "\(ok ? "pass" : "fail"): \(text)"))
        }
        output.events.append(AlarmEvent(kind: .equipmentCheck, time: t, user: user,
                                        text: "summary: \(items.count - failed) passed, \(failed) failed"))
        return await commit(output, samples: [])
    }

    // MARK: recorders

    /// The conditions of a recorder's retention check, each its own alarm on the recorder.
    static let retentionConditions: [String: (AlarmCondition, String)] = [
        "shortfall": (.retentionShortfall, "录像保存不足 retention shortfall"),
        "recording-stopped": (.recordingStopped, "录像停止 recording stopped"),
        "at-risk": (.retentionAtRisk, "录像保存期有风险 retention at risk"),
        "disk-full": (.diskFull, "录像磁盘将满 disk nearly full"),
        "storage": (.fault, "录像存储不可读 storage unreadable"),
    ]

    /// A recorder's retention check: raises or returns its alarms, keeps the status for reports.
    public func retentionChecked(_ status: RetentionStatus) async {
        let name = config.recorders.first { $0.id == status.recorder }?.name ?? status.recorder
        let previous = retention[status.recorder]
        retention[status.recorder] = status
        var output = EngineOutput()
        for (check, (condition, label)) in Self.retentionConditions.sorted(by: { $0.key < $1.key }) {
            let finding = status.finding(check)
            // A check that did not run this time (no disk figures, say) keeps its alarm as it was.
            guard let finding else { continue }
            output.events += engine.system("recorder-\(status.recorder)", condition, name: "\(name) \(label)", active: !finding.ok,
                                           detail: finding.text, at: now()).events
        }
        if status.pruned > 0 {
            output.events.append(AlarmEvent(kind: .retentionPruned, time: now(), user: "watchroomd",
                                            text: "recorder \(status.recorder): deleted \(status.pruned) footage files (\(RetentionCheck.size(Double(status.prunedBytes)))) older than \(status.retentionDays) days, none held"))
            logger.notice("recorder \(status.recorder): pruned \(status.pruned) files (\(RetentionCheck.size(Double(status.prunedBytes)))) older than \(status.retentionDays) days")
        }
        if previous == nil { logger.info("recorder \(status.recorder): \(status.findings.map(\.text).joined(separator: "; "))") }
        await commit(output, samples: [])
    }

    // MARK: queries

    /// The one-line summary for systemd's STATUS= and `watchroomctl status`.
    public func summary() -> String {
        let open = engine.alarms.values
        let active = open.filter(\.active).count
        let armed = engine.zoneControl.values.filter(\.armed).count
        let lost = tracker.comm.values.filter { $0 == .lost }.count
        return "\(config.buses.count) bus\(config.buses.count == 1 ? "" : "es"), \(armed) zones armed, \(active) alarm\(active == 1 ? "" : "s") active"
            + (open.count > active ? " (\(open.count) open)" : "") + ", \(lost) device\(lost == 1 ? "" : "s") comm-lost"
    }

    public var openAlarms: [Alarm] { engine.alarms.values.sorted { $0.id < $1.id } }
    public var zoneControl: [String: ZoneControl] { engine.zoneControl }
    public var commStates: [String: CommCondition] { tracker.comm }
    public func subscribe() -> AsyncStream<AlarmEvent> { broadcaster.subscribe() }
    public func finishWatchers() { broadcaster.finishAll() }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
