import Alarms
import Foundation
import Journal
import Polling
import SiteConfig
import Testing

/// After `kill -9` the daemon restarts from the journal's open alarms and zone control, and the
/// first polls reconcile them: no duplicate raise for an alarm still active, and an alarm whose
/// input returned while the daemon was down shows as returned (still latched where latched).
@Suite("Restart: the same alarms, acks and notes; reconciled with the first scan")
struct RestoreTests {
    /// Engine A: H01 (24 h, latched) raised, acknowledged and noted; Y01 raised and left unacknowledged.
    static func engineBeforeCrash() throws -> (Rig, h01: Int, y01: Int) {
        var rig = try Rig()
        for z in ["H01", "Y01"] { rig.zone(z, .normal) }
        let h01 = try #require(rig.zone("H01", .alarm).events.first?.alarm?.id)
        rig.advance(seconds: 10)
        let y01 = try #require(rig.zone("Y01", .alarm).events.first?.alarm?.id)
        rig.advance(seconds: 20)
        try rig.command(.acknowledge(alarm: h01, user: "张三"))
        rig.advance(seconds: 60)
        try rig.command(.note(alarm: h01, user: "张三", text: "已派保安前往财务室"))
        try rig.command(.disarm(target: "Y01", user: "张三"))
        return (rig, h01, y01)
    }

    /// Engine B, built from what A had (as the journal would hand it back), ten minutes later.
    static func restart(_ a: Rig, nextID: Int = 1) -> Rig {
        let later = a.now.addingTimeInterval(600)
        let b = AlarmEngine(config: a.config, restoring: Array(a.engine.alarms.values), zoneControl: a.engine.zoneControl,
                            nextID: nextID, now: later)
        return Rig(config: a.config, engine: b, at: later)
    }

    @Test("the restarted engine has the same open alarms and zone control")
    func sameStateAfterRestart() throws {
        let (a, _, _) = try Self.engineBeforeCrash()
        let b = Self.restart(a)
        #expect(b.engine.alarms == a.engine.alarms)
        #expect(b.engine.zoneControl == a.engine.zoneControl)
        #expect(b.engine.zoneControl["Y01"]?.armed == false, "a manual disarm survives the restart")
    }

    @Test("an input still in alarm at the first scan is not raised again")
    func noDuplicateRaise() throws {
        let (a, h01, y01) = try Self.engineBeforeCrash()
        var b = Self.restart(a)
        let out = b.zone("H01", .alarm)  // from .unknown: the first scan after the restart
        #expect(out.events.isEmpty, "no duplicate raise, got \(out.kinds)")
        let alarm = try #require(b.engine.alarms[h01])
        #expect(alarm.id == h01)
        #expect(alarm.state == .acknowledged)
        #expect(alarm.acknowledgedBy == "张三")
        #expect(alarm.notes.map(\.text) == ["已派保安前往财务室"])
        #expect(alarm.activations == 1)
        #expect(alarm == a.engine.alarms[h01])
        #expect(b.zone("Y01", .alarm).events.isEmpty)
        #expect(b.engine.alarms[y01]?.state == .unacknowledged)
    }

    @Test("an input that returned while the daemon was down shows as returned; latched stays awaiting reset")
    func returnedWhileDown() throws {
        let (a, h01, y01) = try Self.engineBeforeCrash()
        var b = Self.restart(a)
        let out = b.zone("H01", .normal)
        #expect(out.kinds == [.returned])
        let alarm = try #require(b.engine.alarms[h01])
        #expect(alarm.state == .awaitingReset)
        #expect(alarm.returnedAt == b.now)
        #expect(alarm.notes.count == 1)
        // The unacknowledged one returns unacknowledged.
        #expect(b.zone("Y01", .normal).kinds == [.returned])
        #expect(b.engine.alarms[y01]?.state == .returnedUnacknowledged)
        // And the operator can finish the handling on the new engine (the note survived).
        #expect(try b.command(.reset(alarm: h01, user: "张三")).kinds == [.reset])
    }

    @Test("an acknowledged non-latched alarm whose input returned while down closes")
    func nonLatchedClosesAfterRestart() throws {
        var a = try Rig()
        let id = try #require(a.equipment("ups-on-battery", .alarm).events.first?.alarm?.id)
        try a.command(.acknowledge(alarm: id, user: "张三"))
        var b = Self.restart(a)
        #expect(b.equipment("ups-on-battery", .normal).kinds == [.returned, .cleared])
        #expect(b.engine.alarms.isEmpty)
    }

    @Test("the first real scan after a restart, through the state tracker, raises nothing twice")
    func firstScanThroughTracker() throws {
        let (a, h01, y01) = try Self.engineBeforeCrash()
        var b = Self.restart(a)
        var tracker = StateTracker(config: b.config)
        // H01 still closed, Y01 back to normal; F01 tripped while the daemon was down.
        let changes = tracker.apply(Scans.di1(closed: [Scans.H01, Scans.F01], at: b.now))
        let out = b.engine.apply(changes, at: b.now)
        #expect(out.events.filter { $0.kind == .raised }.compactMap { $0.alarm?.source.id } == ["F01"])
        #expect(out.events.filter { $0.kind == .returned }.compactMap { $0.alarm?.id } == [y01])
        #expect(b.engine.alarms[h01]?.state == .acknowledged)
        #expect(b.engine.alarms[y01]?.state == .returnedUnacknowledged)
    }

    @Test("new alarms after a restart get ids above the restored ones")
    func nextIDContinues() throws {
        let (a, h01, y01) = try Self.engineBeforeCrash()
        var b = Self.restart(a)
        #expect(b.engine.nextID > max(h01, y01))
        let fresh = try #require(b.zone("F01", .alarm).events.first?.alarm?.id)
        #expect(fresh == max(h01, y01) + 1)
        #expect(fresh != h01 && fresh != y01)
    }

    @Test("the journal's next id wins when closed alarms used higher ids")
    func nextIDFromJournal() throws {
        let (a, _, _) = try Self.engineBeforeCrash()
        var b = Self.restart(a, nextID: 40)
        #expect(b.engine.nextID == 40)
        #expect(b.zone("F01", .alarm).events.first?.alarm?.id == 40)
    }

    @Test("closed alarms handed to the engine are not reopened")
    func closedAlarmsIgnored() throws {
        var a = try Rig()
        let id = try #require(a.equipment("ups-on-battery", .alarm).events.first?.alarm?.id)
        try a.command(.acknowledge(alarm: id, user: "张三"))
        let closed = try #require(a.equipment("ups-on-battery", .normal).events.last?.alarm)
        #expect(closed.state == .normal)
        let b = AlarmEngine(config: a.config, restoring: [closed], now: a.now)
        #expect(b.alarms.isEmpty)
        #expect(b.nextID == id + 1)
    }

    // MARK: arming schedule across a restart

    /// Engine A starts Fri 06:00 (perimeter armed), the schedule disarms it at 07:00, and A dies at 18:58.
    static func perimeterDisarmedByScheduleThenCrash() throws -> Rig {
        var a = try Rig(at: siteTime(plusMinutes: -10 * 60))  // Fri 06:00
        #expect(a.engine.zoneControl["Z01"]?.armed == true)
        a.now = siteTime(plusMinutes: -9 * 60 + 1)  // 07:01
        #expect(a.tick().kinds == [.disarmed, .disarmed, .disarmed])
        a.now = siteTime(plusMinutes: 178)  // 18:58, then kill -9
        #expect(a.tick().events.isEmpty)
        return a
    }

    @Test("a restart after 19:00 still arms the perimeter the schedule disarmed at 07:00")
    func restartAcrossScheduledArm() throws {
        let a = try Self.perimeterDisarmedByScheduleThenCrash()
        // Restart at 19:05 from the journal's state (zone control as committed at 07:01; last event 07:01).
        var b = Rig(config: a.config, engine: AlarmEngine(config: a.config, restoring: [], zoneControl: a.engine.zoneControl,
                                                          nextID: a.engine.nextID, now: siteTime(plusMinutes: 185),
                                                          resumingFrom: siteTime(plusMinutes: -9 * 60 + 1)),
                    at: siteTime(plusMinutes: 185))
        b.now = siteTime(plusMinutes: 186)
        _ = b.tick()
        for z in ["Z01", "Z02", "S01"] {
            #expect(b.engine.zoneControl[z]?.armed == true, "\(z) should be armed at 19:06 (schedule 19:00-07:00)")
            #expect(b.engine.zoneControl[z]?.armedBy == "schedule")
        }
        // And so a perimeter trip that night must raise.
        #expect(b.zone("Z01", .alarm).kinds == [.raised])
    }

    @Test("a manual disarm made after the last scheduled arm survives a restart")
    func manualDisarmAfterBoundarySurvives() throws {
        var a = try Rig(at: siteTime(plusMinutes: 181))  // 19:01, armed by schedule
        a.now = siteTime(plusMinutes: 210)  // 19:30
        try a.command(.disarm(target: "Z01", user: "张三"))
        // Restart at 20:00; the journal's last event is the disarm at 19:30.
        var b = AlarmEngine(config: a.config, restoring: [], zoneControl: a.engine.zoneControl, now: siteTime(plusMinutes: 240),
                            resumingFrom: a.now)
        #expect(b.zoneControl["Z01"]?.armed == false)
        #expect(b.zoneControl["Z01"]?.armedBy == "张三")
        #expect(b.zoneControl["Z02"]?.armed == true)
        #expect(b.tick(at: siteTime(plusMinutes: 241)).events.isEmpty, "no boundary passed since 19:30: the operator's disarm stands")
        #expect(b.zoneControl["Z01"]?.armed == false)
    }
}

/// Chattering counts activations within a minute; a restart in the middle of a chattering input
/// must not forget the activations before it.
@Suite("Restart: chattering history")
struct ChatterRestartTests {
    @Test("two activations before a restart and one after, within a minute: chattering")
    func chatterSurvivesRestart() async throws {
        let tmp = try JournalTests.TempJournal()
        var a = try Rig()
        do {
            let journal = try tmp.open()
            a.zone("H01", .normal)
            _ = try await journal.commit(a.zone("H01", .alarm).events)
            a.advance(seconds: 5)
            _ = try await journal.commit(a.zone("H01", .normal).events)
            a.advance(seconds: 5)
            _ = try await journal.commit(a.zone("H01", .alarm).events)
        }
        let later = a.now.addingTimeInterval(10)
        let state = try tmp.open().loadState()
        var engine = AlarmEngine(config: a.config, restoring: state.openAlarms, zoneControl: state.zoneControl,
                                 nextID: state.nextAlarmID, now: later)
        engine.restoreActivations(state.recentActivations, at: later)
        var b = Rig(config: a.config, engine: engine, at: later)
        #expect(b.zone("H01", .alarm).events.isEmpty, "the first scan finds the open alarm")
        b.advance(seconds: 2)
        b.zone("H01", .normal)
        b.advance(seconds: 2)
        let third = b.zone("H01", .alarm)
        #expect(third.kinds == [.reactivated, .chattering], "3 activations in 24 s, 2 of them before the restart")
    }

    @Test("activations older than the window are not restored")
    func oldActivationsForgotten() async throws {
        let tmp = try JournalTests.TempJournal()
        var a = try Rig()
        let journal = try tmp.open()
        a.zone("H01", .normal)
        _ = try await journal.commit(a.zone("H01", .alarm).events)
        a.advance(seconds: 5)
        _ = try await journal.commit(a.zone("H01", .normal).events)
        a.advance(seconds: 5)
        _ = try await journal.commit(a.zone("H01", .alarm).events)
        let later = a.now.addingTimeInterval(120)
        let state = try journal.loadState()
        var engine = AlarmEngine(config: a.config, restoring: state.openAlarms, zoneControl: state.zoneControl,
                                 nextID: state.nextAlarmID, now: later)
        engine.restoreActivations(state.recentActivations, at: later)
        var b = Rig(config: a.config, engine: engine, at: later)
        b.zone("H01", .alarm)
        b.zone("H01", .normal)
        #expect(b.zone("H01", .alarm).kinds == [.reactivated], "the earlier activations were two minutes ago")
    }
}
