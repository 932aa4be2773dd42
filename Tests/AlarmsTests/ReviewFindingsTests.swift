import Alarms
import Foundation
import Polling
import SiteConfig
import Testing

/// Cases found in review: each failed before its fix.
@Suite("restart and bad-reading edge cases")
struct ReviewFindingsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func scan(_ device: String, _ values: [String: [Reading]], at t: Date) -> DeviceScan {
        DeviceScan(device: device, bus: "lan", time: t,
                   values: values.mapValues { PointValue(readings: $0, quality: .good, time: t) })
    }

    @Test("a comm-loss alarm open before a restart returns when the device answers after it")
    func commLossAcrossRestart() throws {
        let config = try loadSite()
        var before = AlarmEngine(config: config, now: t0)
        let raised = before.apply([.comm(device: "di-1", bus: "lan", from: .ok, to: .lost, detail: "timeout")], at: t0)
        let id = try #require(raised.events.first?.alarm?.id)
        // Restart: the engine restores the open alarm; the tracker starts from unknown.
        var engine = AlarmEngine(config: config, restoring: Array(before.alarms.values), now: t0.addingTimeInterval(60))
        var tracker = StateTracker(config: config)
        let bits = [Reading](repeating: .bool(false), count: 16)
        let out = engine.apply(tracker.apply(scan("di-1", ["di": bits], at: t0.addingTimeInterval(61))), at: t0.addingTimeInterval(61))
        #expect(out.events.contains { $0.kind == .returned && $0.alarm?.id == id })
        #expect(engine.alarms[id]?.active == false)
    }

    @Test("a NaN reading (failed probe) neither clears a temperature alarm nor enters the history")
    func nanReading() throws {
        let config = try loadSite()
        var tracker = StateTracker(config: config)
        var engine = AlarmEngine(config: config, now: t0)
        let hot = engine.apply(tracker.apply(scan("th-1", ["temperature": [.number(41.5)], "humidity": [.number(50)]], at: t0)), at: t0)
        #expect(hot.events.contains { $0.kind == .raised && $0.alarm?.condition == .high })
        let nan = tracker.apply(scan("th-1", ["temperature": [.number(.nan)], "humidity": [.number(50)]], at: t0.addingTimeInterval(1)))
        #expect(!nan.contains { if case .sensor = $0 { true } else { false } })
        #expect(tracker.sensors["room-temp"] == .high)
    }

    @Test("an alarm of a zone removed from the config returns at start, so it can be acknowledged and closed")
    func removedSource() throws {
        let config = try loadSite()
        var engine = AlarmEngine(config: config, now: t0)
        let h01 = try #require(config.zones.first { $0.id == "H01" })
        let gone = Zone(id: "OLD-ZONE", name: h01.name, type: h01.type, input: h01.input, test: h01.test, cameras: h01.cameras,
                        area: h01.area, alarmWhen: h01.alarmWhen, priority: h01.priority)
        let raised = engine.apply([.zone(gone, from: .normal, to: .alarm, value: "1")], at: t0)
        let id = try #require(raised.events.first?.alarm?.id)
        var restarted = AlarmEngine(config: config, restoring: Array(engine.alarms.values), now: t0.addingTimeInterval(10))
        let out = restarted.returnRemovedSources(at: t0.addingTimeInterval(10))
        #expect(out.events.contains { $0.kind == .returned && $0.alarm?.id == id && $0.text == "source removed from the config" })
        #expect(restarted.alarms[id]?.state == .returnedUnacknowledged)
        #expect(restarted.returnRemovedSources(at: t0.addingTimeInterval(11)).events.isEmpty, "H01 and the rest exist: nothing else returns")
    }
}
