import TestClock
import Alarms
import Foundation
import Journal
import Logging
import Notify
import SiteConfig
import Synchronization
import Testing

// MARK: site config

/// /work/main/devices, found from this file so the tests run from any working directory.
let devicesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("devices").path

let dayLeader = (name: "张伟", mobile: "13800000001", chat: "ou_zhangwei")
let nightLeader = (name: "李强", mobile: "13800000002", chat: "ou_liqiang")
let supervisorPerson = (name: "王主管", mobile: "13800000009")

let dayNightShifts = """
    shifts:
      - {name: day,   start: "08:00", end: "20:00", leader: {name: \(dayLeader.name), mobile: "\(dayLeader.mobile)", chat_id: \(dayLeader.chat)}}
      - {name: night, start: "20:00", end: "08:00", leader: {name: \(nightLeader.name), mobile: "\(nightLeader.mobile)", chat_id: \(nightLeader.chat)}}
    """

let defaultEscalation = """
    escalation: {ack_timeout_s: 300, repeat_s: 300, supervisor: {name: \(supervisorPerson.name), mobile: "\(supervisorPerson.mobile)"}}
    """

/// A zone of the test site: id, name, type and an optional priority.
struct TestZone {
    var id: String
    var name: String
    var type = "perimeter"
    var priority: String?
}

/// The small site most tests use. Perimeter zones have no area schedule, so they start armed.
let standardZones: [TestZone] = [
    TestZone(id: "Z01", name: "北围墙东段"),
    TestZone(id: "Z02", name: "北围墙西段"),
    TestZone(id: "F01", name: "消防主机火警", type: "fire"),
    TestZone(id: "H01", name: "财务室", type: "24h", priority: "medium"),
    TestZone(id: "L01", name: "仓库门磁", type: "24h", priority: "low"),
]

/// The site YAML: one 16-input module per 16 zones, the given shifts, escalation and notify targets.
func siteYAML(zones: [TestZone] = standardZones, shifts: String = dayNightShifts, escalation: String = defaultEscalation,
              notify: String = "notify: []", timezone: String = "Asia/Shanghai", stateDir: String = "/tmp/watchroom-notify-tests") -> String {
    let deviceCount = max(1, (zones.count + 15) / 16)
    var lines = [
        "site: {name: 测试园区监控中心, timezone: \(timezone)}",
        "state_dir: \(stateDir)",
        "profiles: [\(devicesFolder)]",
        "buses:",
        "  - {id: lan, tcp: {host: 127.0.0.1, port: 15020}, comm_loss_after: 3}",
        "devices:",
    ]
    for d in 0..<deviceCount {
        lines.append("  - {id: di-\(d + 1), bus: lan, unit: \(d + 1), profile: generic-di-16, name: \(d + 1)号开关量模块}")
    }
    lines.append("zones:")
    for (i, z) in zones.enumerated() {
        let p = z.priority.map { ", priority: \($0)" } ?? ""
        lines.append("  - {id: \(z.id), name: \(z.name), type: \(z.type), input: \"di-\(i / 16 + 1).di[\(i % 16)]\"\(p)}")
    }
    return lines.joined(separator: "\n") + "\n" + shifts + "\n" + escalation + "\n" + notify + "\n"
}

/// A fresh temporary folder, removed by the caller (or left in /tmp for a post-mortem).
func makeTempDir(_ label: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-notify-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes the YAML to `dir/site.yaml` and loads it.
func loadSite(_ yaml: String, in dir: URL? = nil) throws -> SiteConfig {
    let folder = try dir ?? makeTempDir("site")
    defer { if dir == nil { try? FileManager.default.removeItem(at: folder) } }
    let file = folder.appendingPathComponent("site.yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    return try SiteConfigLoader().load(file: file.path)
}

/// Writes a secret to a file in `dir` and returns its path (for `secret_file`).
func secretFile(_ secret: String, named name: String, in dir: URL) throws -> String {
    let url = dir.appendingPathComponent(name)
    try (secret + "\n").write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

// MARK: site time

let shanghai = TimeZone(identifier: "Asia/Shanghai")!

/// An instant given in site (Asia/Shanghai unless told) wall-clock time.
func siteDate(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int = 0, tz: TimeZone = shanghai) -> Date {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = tz
    return cal.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
}

/// 10:00 site time: the day shift (张伟) is on duty.
let dayTime = siteDate(2027, 1, 15, 10, 0)
/// 23:30 site time: the night shift (李强) is on duty.
let nightTime = siteDate(2027, 1, 15, 23, 30)

// MARK: engine and planner

/// The alarm engine and planner of one site, driven as the daemon drives them.
struct NotifyRig {
    let config: SiteConfig
    var engine: AlarmEngine
    let planner: NotificationPlanner

    init(config: SiteConfig, at start: Date = dayTime) {
        self.config = config
        engine = AlarmEngine(config: config, now: start)
        planner = NotificationPlanner(config: config)
    }

    func zone(_ id: String) throws -> Zone {
        try #require(config.zones.first { $0.id == id }, "zone \(id) is in the test site")
    }

    /// The zone's input goes to alarm: the events the engine reports.
    mutating func trip(_ ids: [String], at now: Date) throws -> [AlarmEvent] {
        let changes = try ids.map { StateChange.zone(try zone($0), from: .normal, to: .alarm, value: "true") }
        return engine.apply(changes, at: now).events
    }

    mutating func trip(_ id: String, at now: Date) throws -> [AlarmEvent] { try trip([id], at: now) }

    mutating func restore(_ id: String, at now: Date) throws -> [AlarmEvent] {
        engine.apply([.zone(try zone(id), from: .alarm, to: .normal, value: "false")], at: now).events
    }

    mutating func command(_ c: OperatorCommand, at now: Date) throws -> [AlarmEvent] {
        try engine.command(c, at: now).events
    }

    mutating func tick(at now: Date) -> [AlarmEvent] { engine.tick(at: now).events }

    /// The open alarm of a zone.
    func alarmID(_ zoneID: String) throws -> Int {
        try #require(engine.alarms.values.first { $0.source.id == zoneID && $0.isOpen }?.id, "zone \(zoneID) has an open alarm")
    }
}

/// Outbox rows for planned notifications, created now (so the group window counts from now).
func outboxInserts(_ planned: [(target: String, notification: Notify.Notification)], createdAt: Date = Date()) throws -> [OutboxInsert] {
    try planned.map { OutboxInsert(target: $0.target, body: try NotifyJSON.encoder.encode($0.notification), createdAt: createdAt) }
}

/// Plans the events and commits them with their outbox rows in one transaction, as the daemon does.
@discardableResult
func commitPlanned(_ events: [AlarmEvent], rig: NotifyRig, journal: Journal) async throws -> [(target: String, notification: Notify.Notification)] {
    let planned = rig.planner.plan(events)
    _ = try await journal.commit(events, outbox: try outboxInserts(planned))
    return planned
}

// MARK: delivery service

/// Log lines the delivery service wrote (to check that secrets never reach them).
final class LogStore: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
}

struct CaptureLogHandler: LogHandler {
    let store: LogStore
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        store.lines.withLock { $0.append("\(String(format: "%.3f", Date().timeIntervalSince1970)) \(event.level): \(event.message)") }
    }
}

func captureLogger(_ store: LogStore) -> Logger {
    Logger(label: "notify-tests") { _ in CaptureLogHandler(store: store) }
}

/// The wall clock as the delivery service reads it: real time, stepped by `offset` (an NTP step,
/// `date -s`).
final class WallClock: Sendable {
    let offset = Mutex<TimeInterval>(0)
    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    func step(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

/// What the delivery service reported through its failure hook.
final class HookCalls: Sendable {
    struct Call: Sendable, Equatable {
        var target: String
        var failing: Bool
        var reason: String
        /// When the service called the hook, on the test's manual clock (nil on real time).
        var at: Duration? = nil
    }
    let calls = Mutex<[Call]>([])
    /// The clock the delivery service runs on, when the test drives time.
    let clock = Mutex<ManualClock?>(nil)
    var all: [Call] { calls.withLock { $0 } }
    var hook: DeliveryService.FailureHook {
        { target, failing, reason in
            let at = self.clock.withLock { $0?.elapsed }
            self.calls.withLock { $0.append(Call(target: target, failing: failing, reason: reason, at: at)) }
        }
    }
}

/// A running delivery service; `stop()` cancels its loops and waits for them.
struct RunningDelivery {
    let service: DeliveryService
    let task: Task<Void, Never>

    static func start(config: SiteConfig, journal: Journal, logs: LogStore = LogStore(), hooks: HookCalls = HookCalls(),
                      clock: ManualClock? = nil, wall: WallClock = WallClock()) throws -> RunningDelivery {
        let service = try DeliveryService(config: config, journal: journal, logger: captureLogger(logs), onFailure: hooks.hook,
                                          clock: clock.map { $0 as any Clock<Duration> } ?? ContinuousClock(), now: { wall.now })
        let task = Task { await service.run() }
        return RunningDelivery(service: service, task: task)
    }

    func stop() async {
        task.cancel()
        // A cancelled wait returns on its own; the nudges are a second chance, should one be stuck elsewhere.
        let nudger = Task { [service] in
            while !Task.isCancelled {
                service.nudge()
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let stopped = await finishes(within: .seconds(15)) { await task.value }
        nudger.cancel()
        if !stopped { Issue.record("the delivery service did not stop within 15 s of being cancelled") }
    }
}

/// Runs `work` and waits for it at most `limit`; false when it had not finished by then (it goes on unwatched).
func finishes(within limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
    let once = Mutex<CheckedContinuation<Bool, Never>?>(nil)
    let resume: @Sendable (Bool) -> Void = { value in once.withLock { c in c?.resume(returning: value); c = nil } }
    return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
        once.withLock { $0 = c }
        Task { await work(); resume(true) }
        Task { try? await Task.sleep(for: limit); resume(false) }
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Runs blocking work (GRDB's synchronous reads, opening a journal) on a thread of its own.
///
/// On a 2-core machine the concurrency pool has two threads; GRDB's reader queues run on the same
/// dispatch threads, so two tests blocked in a synchronous read while the service's async reads hold
/// the reader connections deadlock the process (seen in a run of this suite).
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        Thread { c.resume(with: Result { try work() }) }.start()
    }
}

/// The journal's outbox rows by state count, with absent states as 0.
func outboxCount(_ journal: Journal, _ state: String) async throws -> Int {
    try await blocking { try journal.outboxCounts()[state] ?? 0 }
}

/// All outbox rows, oldest first.
func allOutbox(_ journal: Journal) async throws -> [OutboxRow] {
    try await blocking { try journal.outbox(limit: 100_000).sorted { $0.id < $1.id } }
}

func openJournal(_ path: String) async throws -> Journal { try await blocking { try Journal(path: path) } }
