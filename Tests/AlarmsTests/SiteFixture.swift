import Alarms
import Foundation
import Polling
import SiteConfig
import Testing

/// The test site: a small monitoring centre in Asia/Shanghai with every kind of zone the rules name.
///
/// - Z01, Z02, S01: perimeter zones in area `perimeter`, armed by schedule 19:00-07:00.
/// - Y01: a perimeter zone in area `yard`, which has no schedule (so it starts armed).
/// - F01 fire, P01 panic (both critical), H01 24-hour, all on the dry-contact module di-1.
/// - S01, S02: supervised zones on the DEOL expander `exp`, whose profile has a writable `reset` coil.
/// - room-temp: 5-40 °C; ups-on-battery: equipment point.
let siteYAML = """
    site: {name: 测试园区监控中心, timezone: Asia/Shanghai}
    state_dir: /tmp/watchroom-alarms-tests
    profiles: [\(devicesFolder)]
    buses:
      - {id: lan, tcp: {host: 127.0.0.1, port: 15020}, comm_loss_after: 3}
    devices:
      - {id: di-1,  bus: lan, unit: 1, profile: generic-di-16,   name: 1号开关量模块}
      - {id: exp,   bus: lan, unit: 2, profile: zone-expander-8, name: 防区扩展模块}
      - {id: th-1,  bus: lan, unit: 3, profile: xy-md02,         name: 监控室温湿度}
      - {id: ups-1, bus: lan, unit: 4, profile: apc-smart-ups,   name: 监控室UPS}
    areas:
      - {id: perimeter, name: 周界, arm_at: "19:00", disarm_at: "07:00"}
      - {id: yard, name: 院内}
    zones:
      - {id: Z01, name: 北围墙, type: perimeter, input: "di-1.di[0]", area: perimeter}
      - {id: Z02, name: 南围墙, type: perimeter, input: "di-1.di[1]", area: perimeter}
      - {id: Y01, name: 院内围栏, type: perimeter, input: "di-1.di[2]", area: yard}
      - {id: F01, name: 消防主机火警, type: fire, input: "di-1.di[8]"}
      - {id: P01, name: 值班室紧急按钮, type: panic, input: "di-1.di[9]", priority: critical}
      - {id: H01, name: 财务室, type: 24h, input: "di-1.di[10]"}
      - {id: S01, name: 东大门围栏, type: perimeter, input: "exp.zone_state[0]", area: perimeter}
      - {id: S02, name: 机房门, type: 24h, input: "exp.zone_state[1]", area: yard}
    sensors:
      - {id: room-temp, name: 监控室温度, input: th-1.temperature, low: 5, high: 40, deadband: 0.5}
    equipment:
      - {id: ups-on-battery, name: UPS市电中断转电池, input: ups-1.on_battery, alarm_when: true, priority: high}
    alarms: {max_shelve_minutes: 60}
    # Escalation has its own tests (EscalationTests); here it stays out of the way of long ticks.
    escalation: {ack_timeout_s: 86400, repeat_s: 86400}
    """

/// /work/main/devices, found from this file so the tests run from any working directory.
let devicesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("devices").path

/// Writes the site into a fresh temporary folder, loads it, and removes the folder.
func loadSite(_ yaml: String = siteYAML) throws -> SiteConfig {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-alarms-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("site.yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    return try SiteConfigLoader().load(file: file.path)
}

private let sharedSite = Result<SiteConfig, any Error> { try loadSite() }
/// The test site, loaded once.
func testSite() throws -> SiteConfig { try sharedSite.get() }

/// Fri 2027-01-15 16:00 in Asia/Shanghai (08:00 UTC): the perimeter schedule has it disarmed.
let afternoon = Date(timeIntervalSince1970: 1_800_000_000)
/// Minutes after `afternoon`, site time 16:00 + m.
func siteTime(plusMinutes m: Double) -> Date { afternoon.addingTimeInterval(m * 60) }

/// An alarm engine on the test site with its own clock and the last condition of each input,
/// so each step is fed to the engine as the state tracker would report it.
struct Rig {
    let config: SiteConfig
    var engine: AlarmEngine
    var now: Date
    private var zoneNow: [String: ZoneCondition] = [:]
    private var sensorNow: [String: SensorBand] = [:]
    private var equipmentNow: [String: EquipmentCondition] = [:]
    private var commNow: [String: CommCondition] = [:]

    init(at start: Date = afternoon) throws {
        config = try testSite()
        engine = AlarmEngine(config: config, now: start)
        now = start
    }

    /// Continues from another engine (a restart): same site, the given engine.
    init(config: SiteConfig, engine: AlarmEngine, at start: Date) {
        self.config = config
        self.engine = engine
        now = start
    }

    mutating func advance(seconds: TimeInterval) { now = now.addingTimeInterval(seconds) }

    func zone(_ id: String) -> Zone { config.zones.first { $0.id == id }! }
    func sensor(_ id: String) -> Sensor { config.sensors.first { $0.id == id }! }
    func equipment(_ id: String) -> Equipment { config.equipment.first { $0.id == id }! }

    @discardableResult
    mutating func zone(_ id: String, _ to: ZoneCondition) -> EngineOutput {
        let from = zoneNow[id] ?? .unknown
        zoneNow[id] = to
        return engine.apply([.zone(zone(id), from: from, to: to, value: to.rawValue)], at: now)
    }

    @discardableResult
    mutating func sensor(_ id: String, _ to: SensorBand, value: Double) -> EngineOutput {
        let from = sensorNow[id] ?? .unknown
        sensorNow[id] = to
        return engine.apply([.sensor(sensor(id), from: from, to: to, value: value)], at: now)
    }

    @discardableResult
    mutating func equipment(_ id: String, _ to: EquipmentCondition) -> EngineOutput {
        let from = equipmentNow[id] ?? .unknown
        equipmentNow[id] = to
        return engine.apply([.equipment(equipment(id), from: from, to: to, value: to == .alarm ? "1" : "0")], at: now)
    }

    @discardableResult
    mutating func comm(_ device: String, _ to: CommCondition) -> EngineOutput {
        let from = commNow[device] ?? .unknown
        commNow[device] = to
        return engine.apply([.comm(device: device, bus: "lan", from: from, to: to, detail: "Connection timed out")], at: now)
    }

    @discardableResult
    mutating func command(_ c: OperatorCommand) throws(CommandRefusal) -> EngineOutput {
        try engine.command(c, at: now)
    }

    @discardableResult
    mutating func tick() -> EngineOutput { engine.tick(at: now) }

    /// The one open alarm of a source and condition.
    func alarm(_ kind: AlarmSource.Kind, _ id: String, _ condition: AlarmCondition = .alarm) -> Alarm? {
        engine.alarms.values.first { $0.source == AlarmSource(kind, id) && $0.condition == condition }
    }
}

extension EngineOutput {
    var kinds: [AlarmEvent.Kind] { events.map(\.kind) }
}

/// Runs a command that must be refused and returns the refusal (nil, with a recorded issue, when it was accepted).
func refusal(_ body: () throws -> EngineOutput, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> CommandRefusal? {
    do {
        let out = try body()
        Issue.record("expected a refusal, the command was accepted with events \(out.kinds)", sourceLocation: sourceLocation)
        return nil
    } catch let refusal as CommandRefusal {
        return refusal
    } catch {
        Issue.record("expected a CommandRefusal, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
