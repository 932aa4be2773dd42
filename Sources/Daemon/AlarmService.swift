public import Alarms
public import Foundation
public import Journal
public import Logging
public import Notify
public import Polling
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
    private var delivery: DeliveryService?

    public init(config: SiteConfig, journal: Journal, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.config = config
        self.journal = journal
        self.logger = logger
        self.now = now
        let state = try journal.loadState()
        engine = AlarmEngine(config: config, restoring: state.openAlarms, zoneControl: state.zoneControl,
                             nextID: state.nextAlarmID, now: now(), resumingFrom: try journal.lastEventTime())
        tracker = StateTracker(config: config)
        planner = NotificationPlanner(config: config)
        if !state.openAlarms.isEmpty {
            logger.notice("restored \(state.openAlarms.count) open alarms from the journal (last event #\(state.lastSeq))")
        }
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
            for sensor in config.sensors where sensor.input.device == scan.device {
                if let v = scan.values[sensor.input.point]?.readings[safe: sensor.input.index]?.numberValue {
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

    public func tick() async {
        let output = engine.tick(at: now())
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
        guard !output.events.isEmpty || !buckets.isEmpty else { return [] }
        let zones = Set(output.events.compactMap(\.zone))
        let control = engine.zoneControl.filter { zones.contains($0.key) }
        // Notifications are outbox rows written in the same transaction as the events causing them.
        let planned = planner.plan(output.events)
        let t = now()
        let outbox = planned.compactMap { p in
            (try? NotifyJSON.encoder.encode(p.notification)).map { OutboxInsert(target: p.target, body: $0, createdAt: t) }
        }
        do {
            // An unstructured task: a commit already decided must finish even while the daemon is
            // being stopped (cancellation would otherwise abort the write and lose the batch).
            let journal = self.journal, events = output.events
            let committed = try await Task { try await journal.commit(events, zoneControl: control, samples: buckets, outbox: outbox) }.value
            for e in committed { log(e) }
            logNotifications(committed)
            broadcaster.publish(committed)
            if !outbox.isEmpty { delivery?.nudge() }
            return committed
        } catch {
            // The engine has moved on; say loudly that the journal is behind. Events stay in memory
            // and in the log; the next successful commit carries the alarms' latest state.
            logger.critical("journal write failed (\(journal.path)): \(error); \(output.events.count) events not journaled")
            for e in output.events { log(e) }
            broadcaster.publish(output.events)
            return output.events
        }
    }

    private func log(_ e: AlarmEvent) {
        logger.log(level: .notice, "\(EventText.line(e, site: config))")
    }

    /// The log target, always on: one line per notification to the shift leader, at the alarm's syslog level.
    private func logNotifications(_ events: [AlarmEvent]) {
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

    // MARK: queries

    public var openAlarms: [Alarm] { engine.alarms.values.sorted { $0.id < $1.id } }
    public var zoneControl: [String: ZoneControl] { engine.zoneControl }
    public var commStates: [String: CommCondition] { tracker.comm }
    public func subscribe() -> AsyncStream<AlarmEvent> { broadcaster.subscribe() }
    public func finishWatchers() { broadcaster.finishAll() }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
