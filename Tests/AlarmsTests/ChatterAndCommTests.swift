import Alarms
import Foundation
import Polling
import SiteConfig
import Testing

/// Chattering (3 or more activations within a minute) is counted and reported once; a comm-lost
/// device is one alarm, and its points' alarms are inhibited into it (no flood of false zone alarms).
@Suite("Chattering and comm loss")
struct ChatterAndCommTests {
    enum Flapper: String, CaseIterable, CustomTestStringConvertible {
        case zone = "24-hour zone H01"
        case equipment = "UPS on battery"
        var testDescription: String { rawValue }

        func set(_ active: Bool, _ rig: inout Rig) -> EngineOutput {
            switch self {
            case .zone: rig.zone("H01", active ? .alarm : .normal)
            case .equipment: rig.equipment("ups-on-battery", active ? .alarm : .normal)
            }
        }
    }

    /// Activates at each offset (seconds from the start) and returns to normal halfway to the next.
    static func flap(_ f: Flapper, activationsAt offsets: [Double]) throws -> (Rig, [AlarmEvent]) {
        var rig = try Rig()
        let start = rig.now
        var events: [AlarmEvent] = f.set(false, &rig).events
        for (i, t) in offsets.enumerated() {
            if i > 0 {
                rig.now = start.addingTimeInterval((offsets[i - 1] + t) / 2)
                events += f.set(false, &rig).events
            }
            rig.now = start.addingTimeInterval(t)
            events += f.set(true, &rig).events
        }
        return (rig, events)
    }

    @Test("three activations within 60 s: exactly one chattering event", arguments: Flapper.allCases)
    func chatterWithinAMinute(_ f: Flapper) throws {
        let (rig, events) = try Self.flap(f, activationsAt: [0, 20, 40, 50, 55])
        let chatter = events.filter { $0.kind == .chattering }
        #expect(chatter.count == 1)
        #expect(chatter.first?.time == afternoon.addingTimeInterval(40), "reported at the third activation")
        #expect(chatter.first?.text?.contains("3 activations within 60 s") == true)
        #expect(events.filter { $0.kind == .raised }.count == 1, "one alarm, re-activated, not a new one each time")
        #expect(events.filter { $0.kind == .reactivated }.count == 4)
        let alarm = try #require(rig.engine.alarms.values.first)
        #expect(rig.engine.alarms.count == 1)
        #expect(alarm.chattering)
        #expect(alarm.activations == 5)
    }

    @Test("three activations spread over more than 60 s: no chattering", arguments: Flapper.allCases)
    func noChatterWhenSpread(_ f: Flapper) throws {
        let (rig, events) = try Self.flap(f, activationsAt: [0, 30.5, 61, 122])
        #expect(!events.contains { $0.kind == .chattering })
        #expect(rig.engine.alarms.values.first?.chattering == false)
        #expect(rig.engine.alarms.values.first?.activations == 4)
    }

    @Test("an input that activates three times in a minute chatters even if its alarm closed in between")
    func chatterAcrossAcknowledgedClose() throws {
        var rig = try Rig()
        let first = try #require(rig.equipment("ups-on-battery", .alarm).events.first?.alarm?.id)  // t = 0
        rig.advance(seconds: 5)
        try rig.command(.acknowledge(alarm: first, user: "张三"))
        rig.advance(seconds: 5)
        #expect(rig.equipment("ups-on-battery", .normal).kinds == [.returned, .cleared])  // t = 10, closed
        var events: [AlarmEvent] = []
        rig.advance(seconds: 10)
        events += rig.equipment("ups-on-battery", .alarm).events  // t = 20: a new alarm
        rig.advance(seconds: 10)
        events += rig.equipment("ups-on-battery", .normal).events
        rig.advance(seconds: 10)
        events += rig.equipment("ups-on-battery", .alarm).events  // t = 40: third activation within 60 s
        #expect(events.map(\.kind).prefix(3) == [.raised, .returned, .reactivated])
        #expect(events.filter { $0.kind == .chattering }.count == 1)
        #expect(rig.alarm(.equipment, "ups-on-battery")?.chattering == true)
    }

    // MARK: comm loss through the state tracker

    /// A tracker and an engine on the test site, after one good scan of di-1 with every input open.
    static func running() throws -> (StateTracker, Rig) {
        let rig = try Rig()
        var tracker = StateTracker(config: rig.config)
        var r = rig
        let out = r.engine.apply(tracker.apply(Scans.di1(at: r.now)), at: r.now)
        #expect(out.events.isEmpty)
        return (tracker, r)
    }

    static func feed(_ scan: DeviceScan, _ tracker: inout StateTracker, _ rig: inout Rig) -> EngineOutput {
        rig.now = scan.time
        return rig.engine.apply(tracker.apply(scan), at: scan.time)
    }

    @Test("comm loss of a device is one alarm; its zones are not evaluated while it is lost")
    func commLossIsOneAlarm() throws {
        var (tracker, rig) = try Self.running()
        // Two failures: not lost yet, nothing happens.
        #expect(Self.feed(Scans.di1Failed(failures: 1, at: siteTime(plusMinutes: 1)), &tracker, &rig).events.isEmpty)
        #expect(Self.feed(Scans.di1Failed(failures: 2, at: siteTime(plusMinutes: 2)), &tracker, &rig).events.isEmpty)
        let lost = Self.feed(Scans.di1Failed(failures: 3, at: siteTime(plusMinutes: 3)), &tracker, &rig)
        #expect(lost.kinds == [.raised])
        let alarm = try #require(lost.events.first?.alarm)
        #expect(alarm.source == AlarmSource(.device, "di-1"))
        #expect(alarm.condition == .commLoss)
        #expect(alarm.name == "1号开关量模块")
        #expect(alarm.value?.contains("timed out") == true)
        #expect(!alarm.latched)
        // The tracker now holds di-1's zones as unknown, and the engine raised nothing for them.
        #expect(tracker.zones["H01"] == .unknown)
        #expect(tracker.zones["F01"] == .unknown)
        for n in 4...8 {
            #expect(Self.feed(Scans.di1Failed(failures: n, at: siteTime(plusMinutes: Double(n))), &tracker, &rig).events.isEmpty)
        }
        #expect(rig.engine.alarms.count == 1)
        #expect(rig.engine.alarms.values.allSatisfy { $0.condition == .commLoss })
    }

    @Test("an unknown zone condition (comm lost) neither raises nor returns a zone alarm")
    func unknownConditionInhibited() throws {
        var rig = try Rig()
        rig.zone("F01", .normal)
        #expect(rig.zone("F01", .unknown).events.isEmpty)
        #expect(rig.engine.alarms.isEmpty)
        let id = try #require(rig.zone("F01", .alarm).events.first?.alarm?.id)
        #expect(rig.zone("F01", .unknown).events.isEmpty, "a lost device says nothing about its zones")
        #expect(rig.engine.alarms[id]?.active == true)
        #expect(rig.engine.alarms[id]?.state == .unacknowledged)
    }

    @Test("when the device comes back, the comm alarm returns and the zones are evaluated from the first good scan")
    func commRestored() throws {
        var (tracker, rig) = try Self.running()
        // H01 trips before the loss: a real alarm.
        let h01 = try #require(Self.feed(Scans.di1(closed: [Scans.H01], at: siteTime(plusMinutes: 1)), &tracker, &rig)
            .events.first?.alarm?.id)
        for n in 1...3 { _ = Self.feed(Scans.di1Failed(failures: n, at: siteTime(plusMinutes: 1 + Double(n))), &tracker, &rig) }
        let comm = try #require(rig.alarm(.device, "di-1", .commLoss))
        #expect(rig.engine.alarms[h01]?.active == true, "the zone alarm is not returned by the comm loss")

        // Back: H01 has returned meanwhile and F01 is in alarm.
        let back = Self.feed(Scans.di1(closed: [Scans.F01], at: siteTime(plusMinutes: 10)), &tracker, &rig)
        #expect(back.events.map(\.kind) == [.returned, .raised, .returned])
        #expect(back.events[0].alarm?.id == comm.id)
        #expect(back.events[1].alarm?.source == AlarmSource(.zone, "F01"))
        #expect(back.events[2].alarm?.id == h01)
        #expect(rig.engine.alarms[comm.id]?.state == .returnedUnacknowledged)
        #expect(rig.engine.alarms[h01]?.state == .returnedUnacknowledged)
    }

    @Test("an acknowledged comm loss closes when the device comes back")
    func acknowledgedCommLossCloses() throws {
        var (tracker, rig) = try Self.running()
        for n in 1...3 { _ = Self.feed(Scans.di1Failed(failures: n, at: siteTime(plusMinutes: Double(n))), &tracker, &rig) }
        let comm = try #require(rig.alarm(.device, "di-1", .commLoss))
        try rig.command(.acknowledge(alarm: comm.id, user: "张三"))
        let back = Self.feed(Scans.di1(at: siteTime(plusMinutes: 5)), &tracker, &rig)
        #expect(back.kinds == [.returned, .cleared])
        #expect(rig.engine.alarms.isEmpty, "no zone alarm either: every input is normal")
    }
}
