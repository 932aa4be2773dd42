public import Access
public import Alarms
public import CoreMetrics
public import Foundation
public import Journal
public import Logging
public import Notify
public import Polling
public import Records
public import SiteConfig

/// The single writer, the pipeline from scans and operator commands to the journal: one step at
/// a time (`StepGate`), the engine decides, the step is committed (`StepPlanner` says what it
/// writes; a failing journal holds it in order, or refuses an operator), then it is logged and
/// published on the `EventBus`. The rules live beside the domain: the engine and the tracker in
/// Alarms, the equipment check and retention alarms in Records, the status text in `StatusLine`.
public actor AlarmService {
    public let config: SiteConfig
    private var engine: AlarmEngine
    private var tracker: StateTracker
    private var samples = SampleAggregator()
    /// The sensors of each device, so a scan looks only at its own.
    private let sensorReadings: SensorReadings
    let journal: Journal
    private let logger: Logger
    let bus: EventBus
    private let now: @Sendable () -> Date
    /// Writes for the poller (panel resets), taken by the monitor.
    private(set) var pendingWrites: [PointWrite] = []
    public private(set) var lastProgress: Date
    /// Plans what a step writes besides its events (notifications, holds, repair requests).
    private let planner: StepPlanner
    /// Steps that could not be written yet (the journal is failing), in order; written before anything later.
    private var unwritten: StepBatch?
    /// The last retention check of each file-based recorder.
    public private(set) var retention: [String: RetentionStatus] = [:]
    /// One step (engine decision + its commit) at a time, in arrival order: the engine's order is the journal's.
    private let gate = StepGate()
    /// Why the journal cannot be written, and since when; nil while it can.
    public private(set) var journalFault: (failure: JournalWriteFailure, since: Date)?
    /// Sends the notifications that cannot be written to the outbox while the journal fails.
    private var fromMemory: (@Sendable ([(target: String, notification: Notify.Notification)]) async -> Void)?
    /// When each device last answered (freshness for the equipment check).
    private var lastGoodScan: [String: Date] = [:]
    private var delivery: DeliveryService?
    /// The step's log lines, written off the actor (see `PipelineLog`).
    private let logLane: PipelineLog
    /// An alarm storm folds the per-alarm lines into a summary (see `StormLog`).
    private var storm = StormLog()
    /// `watchroom_journal_commit_duration_seconds` (none without a metrics endpoint).
    private let commitDuration: CoreMetrics.Timer?

    public init(config: SiteConfig, journal: Journal, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
                commitDuration: CoreMetrics.Timer? = nil) throws {
        self.config = config
        self.commitDuration = commitDuration
        self.journal = journal
        self.logger = logger
        self.now = now
        lastProgress = now()
        bus = EventBus(journal: journal)
        let state = try journal.loadState()
        engine = AlarmEngine(config: config, restoring: state.openAlarms, zoneControl: state.zoneControl,
                             nextID: state.nextAlarmID, now: now(), resumingFrom: try journal.lastEventTime(),
                             lastCompleteSelfTest: try journal.lastCompleteSelfTest())
        engine.restoreActivations(state.recentActivations, at: now())
        engine.selfTestSettings.timeout = TimeInterval(config.selfTestTimeoutSeconds)
        engine.selfTestSettings.walkWindow = config.walkTestWindowMinutes * 60
        tracker = StateTracker(config: config)
        sensorReadings = SensorReadings(site: config)
        planner = StepPlanner(config: config)
        logLane = PipelineLog(logger: logger, site: config, planner: planner.notifications)
        // A restart (or reload) in the middle of a self-test must not leave a test relay holding a loop open.
        pendingWrites = engine.testOutputsAtRest
        if !state.openAlarms.isEmpty {
            logger.notice("restored \(state.openAlarms.count) open alarms from the journal (last event #\(state.lastSeq))")
        }
    }

    /// Commits what the restore implies (alarms of sources removed from the config return).
    public func reconcileWithConfig() async {
        await step { _ = await $0.commit($0.engine.returnRemovedSources(at: $0.now()), samples: []) }
    }

    /// One batch of poll results: conditions, alarms, sensor history, one commit.
    public func ingest(_ events: [PollEvent]) async {
        await gate.enter()
        defer { gate.leave() }
        let t = now()
        var changes: [StateChange] = []
        var buckets: [SampleBucket] = []
        for event in events {
            guard case .scan(let scan) = event else { continue }
            changes += tracker.apply(scan)
            guard scan.succeeded else { continue }
            lastGoodScan[scan.device] = scan.time
            for (sensor, value) in sensorReadings.values(in: scan) {
                buckets += samples.add(sensor: sensor, value: value, at: scan.time)
            }
        }
        let output = engine.apply(changes, at: t)
        for outcome in storm.step(output.events, at: t) { logLane.send(.storm(outcome)) }
        if !changes.isEmpty { logLane.send(.changes(changes, folded: storm.isOpen)) }
        await commit(output, samples: buckets)
    }

    /// An operator command: refused with a reason, or journaled before it is answered. While the
    /// journal cannot be written it is refused with `JournalWriteFailure` and changes nothing.
    /// `actor`: who gives it (recorded on each event; see `EngineOutput.stamped(by:)`).
    public func command(_ command: OperatorCommand, by actor: Actor? = nil) async throws -> [AlarmEvent] {
        try await answered { service in try service.engine.command(command, at: service.now()).stamped(by: actor) }
    }

    /// A security event that is no alarm and no operator's action (a board login locked): journaled
    /// in order with the rest, so the record shows it. Returns it committed (nil: the journal could not take it).
    @discardableResult
    public func record(_ event: AlarmEvent) async -> AlarmEvent? {
        var committed: AlarmEvent?
        await step { service in
            var output = EngineOutput()
            output.events = [event]
            committed = await service.commit(output, samples: []).first
        }
        return committed
    }

    /// Compares the wall clock with the monotonic one on every tick (see `ClockWatch`).
    private var clockWatch = ClockWatch()

    public func tick() async {
        await step { service in
            let t = service.now()
            var output = EngineOutput()
            // A set clock moves every pending timer with it and is journaled (GB 12663), before the tick.
            if let clockStep = service.clockWatch.observe(wall: t, monotonic: .now) {
                service.tracker.clockSet(clockStep)
                output = service.engine.clockSet(clockStep)
            }
            let ticked = service.engine.tick(at: t)
            output.events += ticked.events
            output.writes += ticked.writes
            _ = await service.commit(output, samples: [], retry: true)
            for outcome in service.storm.tick(at: t) { service.logLane.send(.storm(outcome)) }
        }
    }

    /// Raises or returns a system alarm (self-test missed, delivery failure).
    public func system(_ id: String, _ condition: AlarmCondition, name: String, active: Bool, detail: String? = nil) async {
        await step { _ = await $0.commit($0.engine.system(id, condition, name: name, active: active, detail: detail, at: $0.now()), samples: []) }
    }

    /// Runs one step with the gate held: nothing else decides or commits until it is journaled (or kept).
    private func step(_ body: (isolated AlarmService) async -> Void) async {
        await gate.enter()
        defer { gate.leave() }
        await body(self)
    }

    /// An operator's step: answered only once its events are committed. When the journal cannot be
    /// written the engine is put back as it was (and its panel writes dropped), so the refusal is
    /// the whole truth: nothing was done.
    private func answered(_ decide: (isolated AlarmService) throws -> EngineOutput) async throws -> [AlarmEvent] {
        await gate.enter()
        defer { gate.leave() }
        if journalFault != nil {
            // Try what is held first; an operator must not act on a journal that is still failing.
            await commit(EngineOutput(), samples: [], retry: true)
            if let fault = journalFault { throw fault.failure }
        }
        let engineBefore = engine, writesBefore = pendingWrites
        let output = try decide(self)
        do {
            return try await commitOrThrow(output)
        } catch let failure as JournalWriteFailure {
            engine = engineBefore
            pendingWrites = writesBefore
            failed(failure)
            throw failure
        }
    }

    /// The batch of a step (see `StepPlanner`) and its notifications; one the outbox cannot hold is logged instead.
    private func batch(for output: EngineOutput, samples buckets: [SampleBucket]) -> (StepBatch, [(target: String, notification: Notify.Notification)]) {
        let plan = planner.plan(output, zoneControl: engine.zoneControl, samples: buckets, at: now())
        for u in plan.unencodable {
            logger.error("notification for \(u.target) could not be encoded (\(u.error)); it is logged only: \(Printable.line(u.notification.title))")
        }
        return (plan.batch, plan.notifications)
    }

    /// Commits a step of the pollers, the clock or the system. When the journal cannot be written
    /// the step is kept in memory, in order, and written before anything later; the engine goes on
    /// (alarms are still raised, logged, shown in status and notified from memory).
    @discardableResult
    private func commit(_ output: EngineOutput, samples buckets: [SampleBucket], retry: Bool = false) async -> [AlarmEvent] {
        lastProgress = now()
        pendingWrites += output.writes
        guard !output.events.isEmpty || !buckets.isEmpty || unwritten != nil else { return [] }
        var (fresh, planned) = batch(for: output, samples: buckets)
        // While the journal fails, only the tick (once a second) and an operator's command retry it;
        // the scans in between join what is held.
        if journalFault != nil && !retry {
            hold(&fresh, planned: planned)
            return output.events
        }
        var all = unwritten ?? StepBatch()
        all.append(fresh)
        do {
            let committed = try await write(all)
            unwritten = nil
            if let fault = journalFault { recovered(from: fault, wrote: all.events.count - fresh.events.count) }
            announce(committed, new: fresh.events.count, outbox: !all.outbox.isEmpty)
            if all.events.count >= HeapTrim.largeStep { HeapTrim.releaseWhenSettled() }
            return committed
        } catch {
            let failure = journalFailure(error)
            // Nothing of this step was written: its notifications go out from memory instead of the outbox.
            all.outbox.removeLast(fresh.outbox.count)
            unwritten = all.isEmpty ? nil : all
            hold(&fresh, planned: planned, alreadyHeld: true)
            failed(failure)
            return output.events
        }
    }

    /// Keeps a step that cannot be written yet: its events and state wait for the journal, its
    /// notifications are sent from memory, and it is logged now (marked as not yet journaled).
    private func hold(_ b: inout StepBatch, planned: [(target: String, notification: Notify.Notification)], alreadyHeld: Bool = false) {
        if !alreadyHeld {
            b.outbox = []
            if unwritten == nil { unwritten = b } else { unwritten!.append(b) }
        }
        logLane.send(.events(b.events, held: true, folded: storm.isOpen))
        if !planned.isEmpty, let fromMemory {
            Task { await fromMemory(planned) }
        }
    }

    /// An operator's commit: the events with their sequence numbers, or the reason nothing was written.
    private func commitOrThrow(_ output: EngineOutput) async throws -> [AlarmEvent] {
        lastProgress = now()
        let (b, _) = batch(for: output, samples: [])
        // Whatever is still waiting (the return of the journal alarm, say) was decided first: it goes first.
        var all = unwritten ?? StepBatch()
        all.append(b)
        do {
            let committed = try await write(all)
            unwritten = nil
            pendingWrites += output.writes
            announce(committed, new: b.events.count, outbox: !all.outbox.isEmpty)
            return Array(committed.suffix(b.events.count))
        } catch {
            throw journalFailure(error)
        }
    }

    /// After a commit: the step's own events are logged (held ones were logged when held), every
    /// committed event goes to the bus, and delivery is woken for new outbox rows.
    private func announce(_ committed: [AlarmEvent], new count: Int, outbox: Bool) {
        let mine = Array(committed.suffix(count))
        logLane.send(.events(mine, held: false, folded: storm.isOpen))
        bus.publish(committed)
        if outbox { delivery?.nudge() }
    }

    private func journalFailure(_ error: any Error) -> JournalWriteFailure {
        JournalWriteFailure.classify(error, journalPath: journal.path) ?? JournalWriteFailure(reason: "\(error)")
    }

    /// The daemon's own alarm while the journal cannot be written.
    private func journalAlarm(active: Bool, detail: String) -> EngineOutput {
        engine.system(.journal, active: active, detail: detail, at: now())
    }

    /// One transaction, in an unstructured task: a commit already decided finishes even while the
    /// daemon is being stopped (cancellation of the caller does not abort it).
    private func write(_ b: StepBatch) async throws -> [AlarmEvent] {
        let journal = self.journal, began = ContinuousClock.now
        defer { commitDuration?.record(ContinuousClock.now - began) }
        return try await Task {
            try await journal.commit(b.events, zoneControl: b.zones, samples: b.samples, outbox: b.outbox, holds: b.holds, repairs: b.repairs)
        }.value
    }

    /// The journal just failed: said once (log, the `journal` system alarm, STATUS=), not per retry.
    private func failed(_ failure: JournalWriteFailure) {
        if journalFault?.failure == failure { return }
        let first = journalFault == nil
        journalFault = (failure, journalFault?.since ?? now())
        logger.critical("\(failure) (\(journal.path)); alarms go on in memory and are written once it can be; operator commands are refused until then")
        guard first else { return }
        // The system alarm itself waits in memory with the rest; its notification goes out from memory.
        var (b, planned) = batch(for: journalAlarm(active: true, detail: failure.reason), samples: [])
        hold(&b, planned: planned)
    }

    private func recovered(from fault: (failure: JournalWriteFailure, since: Date), wrote held: Int) {
        journalFault = nil
        let seconds = Int(now().timeIntervalSince(fault.since))
        logger.notice("the journal is writable again after \(seconds) s; \(held) events held in memory are written")
        let output = journalAlarm(active: false, detail: "writable again after \(seconds) s")
        logLane.send(.events(output.events, held: false, folded: false))
        unwritten = batch(for: output, samples: []).0  // written with the next step (the tick is at most a second away)
    }

    /// Returns once every log line of the steps so far is written (shutdown, tests).
    public func logFlushed() async { await logLane.flushed() }

    public func nudgeDelivery() { delivery?.nudge() }

    /// Connects the delivery service, so new outbox rows go out at once.
    public func attach(_ delivery: DeliveryService) { self.delivery = delivery }

    /// A target dead-lettered (or recovered): raise (or return) its delivery-failure alarm,
    /// which notifies the log and the other targets.
    public func deliveryFailure(target: String, failing: Bool, reason: String) async {
        await step {
            let output = $0.engine.system(.delivery(target: target), active: failing, detail: reason, at: $0.now())
            _ = await $0.commit(output, samples: [])
        }
    }

    /// Where notifications go while the journal cannot hold them (the delivery service's memory queue).
    public func sendFromMemory(_ send: @escaping @Sendable ([(target: String, notification: Notify.Notification)]) async -> Void) {
        fromMemory = send
    }

    public func takeWrites() -> [PointWrite] {
        defer { pendingWrites.removeAll() }
        return pendingWrites
    }

    public func flushSamples() async {
        await step { _ = await $0.commit(EngineOutput(), samples: $0.samples.flush(), retry: true) }
    }

    // MARK: self-test and equipment check

    /// Starts a zone self-test; test outputs are written by the bus workers.
    public func startSelfTest(zones: [String], user: String, by actor: Actor? = nil) async throws -> [AlarmEvent] {
        try await answered { try $0.engine.startSelfTest(zones: zones, user: user, at: $0.now()).stamped(by: actor) }
    }

    public var selfTestRun: SelfTestRun? { engine.selfTest }

    /// The morning equipment check (site rules 4-6, see `EquipmentCheck`): each item is journaled;
    /// each failure asks for repair.
    public func equipmentCheck(user: String, by actor: Actor? = nil) async throws -> [AlarmEvent] {
        // Read before the step: a failed read is a failed item, never a passing one.
        let lastWrite: Result<Date?, any Error>
        do { lastWrite = .success(try await journal.reading { try $0.lastEventTime() }) } catch { lastWrite = .failure(error) }
        return try await answered { try $0.equipmentCheckOutput(user: user, lastWrite: lastWrite).stamped(by: actor) }
    }

    private func equipmentCheckOutput(user: String, lastWrite: Result<Date?, any Error>) throws -> EngineOutput {
        let inputs = EquipmentCheck.Inputs(tracker: tracker, lastGoodScan: lastGoodScan, retention: retention, lastJournalWrite: lastWrite)
        var output = EngineOutput()
        output.events = EquipmentCheck(config: config).events(inputs, user: user, at: now())
        return output
    }

    // MARK: recorders

    /// A recorder's retention check: raises or returns its alarms, keeps the status for reports.
    public func retentionChecked(_ status: RetentionStatus) async {
        await gate.enter()
        defer { gate.leave() }
        let name = config.recorders.first { $0.id == status.recorder }?.name ?? status.recorder
        let previous = retention[status.recorder]
        retention[status.recorder] = status
        var output = EngineOutput()
        for c in RetentionAlarms.changes(status, recorderName: name) {
            output.events += engine.system(c.source, c.condition, name: c.name, active: c.active, detail: c.detail, at: now()).events
        }
        if let pruned = RetentionAlarms.pruned(status, at: now()) {
            output.events.append(pruned.event)
            logger.notice("\(pruned.log)")
        }
        if previous == nil { logger.info("recorder \(status.recorder): \(status.findings.map(\.text).joined(separator: "; "))") }
        await commit(output, samples: [])
    }

    // MARK: queries

    /// The one-line summary for systemd's STATUS= and `watchroomctl status`. Counted off the actor
    /// from a snapshot (copy-on-write, so taking it is constant time): thousands of open alarms
    /// after a storm never hold the pipeline while status is asked.
    public nonisolated func summary() async -> String {
        let (alarms, zones, comm, stall) = await statusSnapshot()
        return StatusLine.text(buses: config.buses.count, alarms: alarms.values, zones: zones.values, comm: comm.values, stall: stall)
    }

    private func statusSnapshot() -> ([Int: Alarm], [String: ZoneControl], [String: CommCondition], StatusLine.Stall?) {
        (engine.alarms, engine.zoneControl, tracker.comm, journalFault.map { .init(reason: $0.failure.reason, held: unwritten?.events.count ?? 0) })
    }

    /// The open alarms by id, sorted off the actor from a snapshot (see `summary()`).
    public nonisolated var openAlarms: [Alarm] {
        get async { await openAlarmSnapshot().values.sorted { $0.id < $1.id } }
    }

    private func openAlarmSnapshot() -> [Int: Alarm] { engine.alarms }
    public var zoneControl: [String: ZoneControl] { engine.zoneControl }
    public var commStates: [String: CommCondition] { tracker.comm }
    /// Each sensor's last good reading.
    public var sensorValues: [String: Double] { tracker.sensorValues }
    /// Events held in memory while the journal cannot be written.
    public var heldEvents: Int { unwritten?.events.count ?? 0 }
    /// Committed events after `seq` (nil: from now on), in order, at the subscriber's pace.
    public nonisolated func subscribe(after seq: Int64? = nil) -> EventFeed { bus.feed(after: seq) }
    public func finishWatchers() { bus.finish() }
}
