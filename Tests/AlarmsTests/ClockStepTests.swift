import Alarms
import Foundation
import Polling
import SiteConfig
import Testing

/// Durations (escalation, shelving, self-test deadlines, chattering, sensor on-delays) run on the
/// monotonic clock; a step of the wall clock is journaled as `clock-set` (GB 12663) and moves
/// every pending deadline with it, so no timer fires early or late.
@Suite("Clock steps: durations keep their length when the wall clock is set")
struct ClockStepTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A daemon's view of time: monotonic seconds since start, and the wall clock, which can be set.
    /// Every `tick` feeds the pair to a `ClockWatch` and the engine, as `AlarmService.tick` does.
    struct Daemon {
        var engine: AlarmEngine
        var watch = ClockWatch()
        let wallStart: Date
        let monoStart = ContinuousClock.now
        var elapsed: TimeInterval = 0
        var wallOffset: TimeInterval = 0
        var clockSets: [AlarmEvent] = []

        init(config: SiteConfig, at t0: Date) {
            engine = AlarmEngine(config: config, now: t0)
            wallStart = t0
            _ = watch.observe(wall: t0, monotonic: monoStart)
        }

        var wall: Date { wallStart.addingTimeInterval(elapsed + wallOffset) }

        /// Monotonic seconds since start; the wall clock follows unless it was set.
        mutating func tick(atSecond s: TimeInterval) -> [AlarmEvent] {
            elapsed = s
            var events: [AlarmEvent] = []
            if let step = watch.observe(wall: wall, monotonic: monoStart + .milliseconds(Int64(s * 1000))) {
                let set = engine.clockSet(step)
                clockSets += set.events.filter { $0.kind == .clockSet }
                events += set.events
            }
            return events + engine.tick(at: wall).events
        }
    }

    func raiseFire(_ d: inout Daemon, _ config: SiteConfig) -> Int {
        let f = config.zones.first { $0.id == "F01" }!
        return d.engine.apply([.zone(f, from: .normal, to: .alarm, value: "1")], at: d.wall).events.first { $0.kind == .raised }!.alarm!.id
    }

    @Test("ack timeout 300 s, wall clock set +1 h at 100 s: escalation at 300 s monotonic, not at once", arguments: [3600.0, -3600.0])
    func escalationKeepsItsDuration(step: TimeInterval) throws {
        let config = try loadSite(EscalationTests.yaml)
        var d = Daemon(config: config, at: t0)
        let id = raiseFire(&d, config)
        #expect(d.tick(atSecond: 50).filter { $0.kind == .escalated }.isEmpty)
        d.wallOffset = step
        let atStep = d.tick(atSecond: 100)
        #expect(atStep.filter { $0.kind == .escalated }.isEmpty, "a clock step is no reason to escalate")
        #expect(d.clockSets.count == 1, "the step is journaled as clock-set")
        #expect(d.tick(atSecond: 299).filter { $0.kind == .escalated }.isEmpty)
        let due = d.tick(atSecond: 300).filter { $0.kind == .escalated }
        #expect(due.map { $0.alarm?.id } == [id], "escalation comes 300 s after the raise, not an hour late")
        #expect(due.first?.text?.contains("within 300 s") == true, "the text names the real response time: \(due.first?.text ?? "-")")
        #expect(d.clockSets.count == 1, "one step, one clock-set")
    }

    @Test("the clock-set event names the old and the new time")
    func clockSetEvent() throws {
        let config = try loadSite(EscalationTests.yaml)
        var d = Daemon(config: config, at: t0)
        d.wallOffset = 3600
        _ = d.tick(atSecond: 100)
        let e = try #require(d.clockSets.first)
        #expect(e.time == t0.addingTimeInterval(3700))
        let text = e.text ?? ""
        #expect(text.contains("2027-01-15 16:01:40 +08:00"), "old time, in site time with its offset: \(text)")
        #expect(text.contains("2027-01-15 17:01:40 +08:00"), "new time: \(text)")
        #expect(text.contains("+3600 s"), "\(text)")
    }

    @Test("a shelve of 600 s expires 600 s later whatever the clock does", arguments: [3600.0, -3600.0])
    func shelveKeepsItsDuration(step: TimeInterval) throws {
        let config = try loadSite(EscalationTests.yaml)
        var d = Daemon(config: config, at: t0)
        let h = config.zones.first { $0.id == "H01" }!
        let id = try #require(d.engine.apply([.zone(h, from: .normal, to: .alarm, value: "1")], at: d.wall).events.first?.alarm?.id)
        _ = try d.engine.command(.shelve(alarm: id, user: "张三", reason: "维修中", duration: .seconds(600)), at: d.wall)
        d.wallOffset = step
        #expect(!d.tick(atSecond: 100).contains { $0.kind == .unshelved })
        #expect(!d.tick(atSecond: 599).contains { $0.kind == .unshelved })
        #expect(d.engine.alarms[id]?.shelved != nil)
        #expect(d.tick(atSecond: 600).contains { $0.kind == .unshelved && $0.alarm?.id == id })
    }

    @Test("a self-test deadline keeps its length across a clock step")
    func selfTestDeadline() throws {
        let config = try loadSite(EscalationTests.yaml)
        var d = Daemon(config: config, at: t0)
        d.engine.selfTestSettings.walkWindow = 600
        let z01 = config.zones.first { $0.id == "Z01" }!
        _ = d.engine.apply([.zone(z01, from: .unknown, to: .normal, value: "0")], at: d.wall)
        _ = try d.engine.startSelfTest(zones: ["Z01"], user: "维修员", at: d.wall)
        d.wallOffset = 3600
        #expect(!d.tick(atSecond: 100).contains { $0.kind == .selfTestResult }, "the walk window does not close at the step")
        #expect(!d.tick(atSecond: 599).contains { $0.kind == .selfTestResult })
        #expect(d.tick(atSecond: 600).contains { $0.kind == .selfTestResult && $0.zone == "Z01" })
    }

    @Test("chattering counts activations within a minute of monotonic time across a step back")
    func chatteringWindow() throws {
        let config = try loadSite(EscalationTests.yaml)
        var d = Daemon(config: config, at: t0)
        let h = config.zones.first { $0.id == "H01" }!
        _ = d.engine.apply([.zone(h, from: .normal, to: .alarm, value: "1")], at: d.wall)
        _ = d.engine.apply([.zone(h, from: .alarm, to: .normal, value: "0")], at: d.wall)
        d.wallOffset = -3600
        _ = d.tick(atSecond: 10)
        // 70 s of real time after the first activation: two activations in the last minute, not three.
        _ = d.tick(atSecond: 70)
        _ = d.engine.apply([.zone(h, from: .normal, to: .alarm, value: "1")], at: d.wall)
        _ = d.engine.apply([.zone(h, from: .alarm, to: .normal, value: "0")], at: d.wall)
        let third = d.engine.apply([.zone(h, from: .normal, to: .alarm, value: "1")], at: d.wall)
        #expect(!third.events.contains { $0.kind == .chattering }, "the first activation was 70 s ago, not 3530 s in the future")
    }

    @Test("area schedules follow the wall clock: a clock set from 18:50 to 19:50 arms the perimeter at that tick")
    func scheduleFollowsTheWallClock() throws {
        let config = try loadSite(EscalationTests.yaml)
        var d = Daemon(config: config, at: siteTime(plusMinutes: 170))  // 18:50 site time: disarmed
        #expect(d.engine.zoneControl["Z01"]?.armed == false)
        #expect(d.tick(atSecond: 10).isEmpty)
        d.wallOffset = 3600
        let stepped = d.tick(atSecond: 20)
        #expect(stepped.first?.kind == .clockSet)
        #expect(Set(stepped.filter { $0.kind == .armed }.compactMap(\.zone)) == ["Z01", "Z02", "S01"], "19:00 has passed on the clock people read")
    }

    @Test("ClockWatch: steady progress and jitter under 2 s are no step; a set clock is")
    func watch() {
        var w = ClockWatch()
        let m0 = ContinuousClock.now
        #expect(w.observe(wall: t0, monotonic: m0) == nil)
        #expect(w.observe(wall: t0.addingTimeInterval(1), monotonic: m0 + .seconds(1)) == nil)
        #expect(w.observe(wall: t0.addingTimeInterval(3.5), monotonic: m0 + .seconds(2)) == nil, "1.5 s of jitter is no step")
        let step = w.observe(wall: t0.addingTimeInterval(3603.5), monotonic: m0 + .seconds(3))
        #expect(step?.delta == 3599)
        #expect(step?.to == t0.addingTimeInterval(3603.5))
        #expect(w.observe(wall: t0.addingTimeInterval(3604.5), monotonic: m0 + .seconds(4)) == nil, "after the step the new time is the reference")
        #expect(w.observe(wall: t0.addingTimeInterval(4.5), monotonic: m0 + .seconds(5))?.delta == -3601)
    }

    @Test("a sensor's delay_s runs on monotonic time: a clock step neither skips nor stretches it", arguments: [3600.0, -3600.0])
    func sensorDelay(step: TimeInterval) throws {
        let yaml = siteYAML.replacingOccurrences(of: "high: 40, deadband: 0.5}", with: "high: 40, deadband: 0.5, delay_s: 30}")
        let config = try loadSite(yaml)
        #expect(config.sensors.first?.delay == .seconds(30))
        var tracker = StateTracker(config: config)
        func scan(_ v: Double, at t: Date) -> DeviceScan {
            DeviceScan(device: "th-1", bus: "lan", time: t,
                       values: ["temperature": PointValue(readings: [.number(v)], quality: .good, time: t)],
                       error: nil, transition: nil, consecutiveFailures: 0, requests: 1)
        }
        _ = tracker.apply(scan(25, at: t0))
        #expect(tracker.sensors["room-temp"] == .normal)
        #expect(tracker.apply(scan(45, at: t0.addingTimeInterval(10))).isEmpty, "the on-delay starts")
        // The clock is set at 12 s; scans carry the new wall time from then on.
        var watch = ClockWatch()
        let m0 = ContinuousClock.now
        _ = watch.observe(wall: t0.addingTimeInterval(11), monotonic: m0 + .seconds(11))
        let observed = watch.observe(wall: t0.addingTimeInterval(12 + step), monotonic: m0 + .seconds(12))
        let s = try #require(observed)
        tracker.clockSet(s)
        #expect(tracker.apply(scan(45, at: t0.addingTimeInterval(20 + step))).isEmpty)
        #expect(tracker.apply(scan(45, at: t0.addingTimeInterval(39 + step))).isEmpty, "29 s into a 30 s delay")
        let changes = tracker.apply(scan(45, at: t0.addingTimeInterval(40 + step)))
        #expect(changes.count == 1, "high after 30 s of real time")
        #expect(tracker.sensors["room-temp"] == .high)
    }
}
