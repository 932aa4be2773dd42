import Alarms
import Foundation
import SiteConfig
import Testing

/// Perimeter zones alarm only when armed; 24-hour, fire and panic always alarm; tamper and fault
/// are reported whatever the arming; the perimeter is armed 19:00-07:00 site time (Asia/Shanghai).
@Suite("Arming: perimeter only when armed, the rest always")
struct ArmingTests {
    @Test("a perimeter trip while disarmed raises nothing")
    func disarmedPerimeterTripIsSilent() throws {
        var rig = try Rig()  // 16:00 site time: the perimeter area is disarmed by its schedule
        #expect(rig.engine.zoneControl["Z01"]?.armed == false)
        rig.zone("Z01", .normal)
        let out = rig.zone("Z01", .alarm)
        #expect(out.events.isEmpty)
        #expect(rig.engine.alarms.isEmpty)
        // The engine still knows the input is in alarm (a manual arm is refused for it).
        #expect(rig.engine.zoneConditions["Z01"] == .alarm)
    }

    @Test("a perimeter trip while armed raises a latched high-priority alarm")
    func armedPerimeterTripRaises() throws {
        var rig = try Rig()
        rig.zone("Z01", .normal)
        let armed = try rig.command(.arm(target: "Z01", user: "张三"))
        #expect(armed.kinds == [.armed])
        #expect(armed.events.first?.zone == "Z01")
        #expect(armed.events.first?.user == "张三")
        let out = rig.zone("Z01", .alarm)
        #expect(out.kinds == [.raised])
        let alarm = try #require(out.events.first?.alarm)
        #expect(alarm.source == AlarmSource(.zone, "Z01"))
        #expect(alarm.condition == .alarm)
        #expect(alarm.category == "perimeter")
        #expect(alarm.priority == .high)
        #expect(alarm.latched)
        #expect(alarm.name == "北围墙")
    }

    @Test("24-hour, fire and panic zones cannot be disarmed and always alarm", arguments: [
        ("F01", "fire", Priority.critical), ("P01", "panic", .critical), ("H01", "24h", .high), ("S02", "24h", .high),
    ])
    func alwaysAlarmZones(zone: String, category: String, priority: Priority) throws {
        var rig = try Rig()
        rig.zone(zone, .normal)
        let r = refusal { try rig.command(.disarm(target: zone, user: "张三")) }
        #expect(r?.code == .illegalTransition)
        #expect(r?.message.contains("cannot be disarmed") == true, "\(r?.message ?? "-")")
        #expect(rig.engine.zoneControl[zone]?.armed == true)
        let out = rig.zone(zone, .alarm)
        #expect(out.kinds == [.raised])
        #expect(out.events.first?.alarm?.category == category)
        #expect(out.events.first?.alarm?.priority == priority)
        #expect(out.events.first?.alarm?.latched == true)
    }

    @Test("tamper on a disarmed perimeter zone is still raised as tamper (latched)")
    func tamperWhileDisarmed() throws {
        var rig = try Rig()
        #expect(rig.engine.zoneControl["S01"]?.armed == false)
        rig.zone("S01", .normal)
        let out = rig.zone("S01", .tamper)
        #expect(out.kinds == [.raised])
        let alarm = try #require(out.events.first?.alarm)
        #expect(alarm.condition == .tamper)
        #expect(alarm.source == AlarmSource(.zone, "S01"))
        #expect(alarm.priority == .high)
        #expect(alarm.latched)
        #expect(rig.alarm(.zone, "S01", .alarm) == nil, "no intrusion alarm while disarmed")
    }

    @Test("fault on a disarmed perimeter zone is still raised as fault, and clears by itself")
    func faultWhileDisarmed() throws {
        var rig = try Rig()
        rig.zone("S01", .normal)
        let out = rig.zone("S01", .fault)
        #expect(out.kinds == [.raised])
        let alarm = try #require(out.events.first?.alarm)
        #expect(alarm.condition == .fault)
        #expect(alarm.priority == .medium)
        #expect(!alarm.latched)
        try rig.command(.acknowledge(alarm: alarm.id, user: "张三"))
        #expect(rig.zone("S01", .normal).kinds == [.returned, .cleared])
        #expect(rig.engine.alarms.isEmpty)
    }

    @Test("a supervised zone going from alarm to tamper returns the alarm and raises tamper")
    func alarmThenTamper() throws {
        var rig = try Rig()
        rig.zone("S02", .normal)
        let alarmID = try #require(rig.zone("S02", .alarm).events.first?.alarm?.id)
        rig.advance(seconds: 5)
        let out = rig.zone("S02", .tamper)
        #expect(out.kinds == [.returned, .raised])
        #expect(out.events.first?.alarm?.id == alarmID)
        #expect(out.events.last?.alarm?.condition == .tamper)
        #expect(rig.engine.alarms[alarmID]?.state == .returnedUnacknowledged)
    }

    @Test("a manual arm is refused while a zone is in alarm, for the zone and for its area")
    func armRefusedWhileInAlarm() throws {
        var rig = try Rig()
        for z in ["Z01", "Z02", "S01"] { rig.zone(z, .normal) }
        rig.zone("S01", .alarm)
        for target in ["S01", "perimeter"] {
            let r = refusal { try rig.command(.arm(target: target, user: "张三")) }
            #expect(r?.code == .illegalTransition)
            #expect(r?.message.contains("S01") == true)
            #expect(r?.message.contains("in alarm") == true)
        }
        #expect(["Z01", "Z02", "S01"].allSatisfy { rig.engine.zoneControl[$0]?.armed == false }, "a refused arm arms nothing")
        // Once the input is back to normal, the arm goes through.
        rig.zone("S01", .normal)
        #expect(try rig.command(.arm(target: "perimeter", user: "张三")).kinds == [.armed, .armed, .armed])
    }

    @Test("arm and disarm by area id change exactly the area's zones")
    func armAndDisarmByArea() throws {
        var rig = try Rig()
        let armed = try rig.command(.arm(target: "perimeter", user: "张三"))
        #expect(armed.kinds == [.armed, .armed, .armed])
        #expect(Set(armed.events.compactMap(\.zone)) == ["Z01", "Z02", "S01"])
        #expect(armed.events.allSatisfy { $0.user == "张三" && $0.time == rig.now })
        #expect(rig.engine.zoneControl["Z01"]?.armedBy == "张三")
        #expect(rig.engine.zoneControl["Z01"]?.armedAt == rig.now)
        // Arming what is armed already changes nothing.
        #expect(try rig.command(.arm(target: "perimeter", user: "张三")).events.isEmpty)

        rig.advance(seconds: 60)
        let disarmed = try rig.command(.disarm(target: "perimeter", user: "李四"))
        #expect(disarmed.kinds == [.disarmed, .disarmed, .disarmed])
        #expect(Set(disarmed.events.compactMap(\.zone)) == ["Z01", "Z02", "S01"])
        #expect(["Z01", "Z02", "S01"].allSatisfy { rig.engine.zoneControl[$0]?.armed == false })
        #expect(rig.engine.zoneControl["Y01"]?.armed == true, "another area is untouched")

        let r = refusal { try rig.command(.arm(target: "nowhere", user: "张三")) }
        #expect(r?.code == .notFound)
        #expect(r?.message.contains("nowhere") == true)
    }

    @Test("reset re-arms a disarmed perimeter zone and asks the panel to reset its latch")
    func resetRearmsAndWritesPanelReset() throws {
        var rig = try Rig()
        rig.zone("S01", .normal)
        try rig.command(.arm(target: "S01", user: "张三"))
        let id = try #require(rig.zone("S01", .alarm).events.first?.alarm?.id)
        rig.advance(seconds: 30)
        try rig.command(.acknowledge(alarm: id, user: "张三"))
        // The operator disarms the zone to walk the fence.
        try rig.command(.disarm(target: "S01", user: "张三"))
        rig.advance(seconds: 300)
        rig.zone("S01", .normal)
        try rig.command(.note(alarm: id, user: "张三", text: "现场检查为野猫触发,已复位"))
        let out = try rig.command(.reset(alarm: id, user: "张三"))
        #expect(out.kinds == [.reset, .armed])
        #expect(out.events.last?.zone == "S01")
        #expect(out.events.last?.user == "张三")
        #expect(rig.engine.zoneControl["S01"]?.armed == true)
        // The panel's latch is cleared and S01 (zone 1 of the expander) is armed again on the panel.
        #expect(out.writes.map(\.ref) == [PointRef(device: "exp", point: "reset", index: 0), PointRef(device: "exp", point: "arm", index: 0)])
        #expect(out.writes.map(\.value) == [true, true])
    }

    @Test("arming and disarming a zone on a panel with per-zone arm outputs writes its arm point")
    func armWritesPanelArmPoint() throws {
        var rig = try Rig()
        let armed = try rig.command(.arm(target: "S01", user: "张三"))
        #expect(armed.writes.map(\.ref) == [PointRef(device: "exp", point: "arm", index: 0)])
        #expect(armed.writes.map(\.value) == [true])
        let disarmed = try rig.command(.disarm(target: "S01", user: "张三"))
        #expect(disarmed.writes.map(\.ref) == [PointRef(device: "exp", point: "arm", index: 0)], "S01 is zone 1 of the expander")
        #expect(disarmed.writes.map(\.value) == [false])
        try rig.command(.arm(target: "S01", user: "张三"))
        // di-1 (generic-di-16) has no arm output.
        #expect(try rig.command(.arm(target: "Z01", user: "张三")).writes.isEmpty)
        // The schedule arms the panel too.
        try rig.command(.disarm(target: "S01", user: "张三"))
        rig.now = siteTime(plusMinutes: 181)
        let scheduled = rig.tick()
        #expect(scheduled.writes.map(\.ref) == [PointRef(device: "exp", point: "arm", index: 0)])
    }

    @Test("reset of a zone on a module without a reset output writes nothing")
    func resetWithoutPanelOutput() throws {
        var rig = try Rig()
        rig.zone("H01", .normal)
        let id = try #require(rig.zone("H01", .alarm).events.first?.alarm?.id)
        try rig.command(.acknowledge(alarm: id, user: "张三"))
        rig.zone("H01", .normal)
        try rig.command(.note(alarm: id, user: "张三", text: "财务室人员误触"))
        let out = try rig.command(.reset(alarm: id, user: "张三"))
        #expect(out.kinds == [.reset])
        #expect(out.writes.isEmpty)
    }

    // MARK: schedule

    @Test("the schedule arms the perimeter at 19:00 site time and disarms it at 07:00")
    func scheduleArmsAndDisarms() throws {
        var rig = try Rig()  // Fri 16:00 Asia/Shanghai
        #expect(rig.tick().events.isEmpty)
        rig.now = siteTime(plusMinutes: 179)  // 18:59
        #expect(rig.tick().events.isEmpty, "no boundary crossed before 19:00")
        #expect(rig.engine.zoneControl["Z01"]?.armed == false)

        rig.now = siteTime(plusMinutes: 180.5)  // 19:00:30
        let armed = rig.tick()
        #expect(armed.kinds == [.armed, .armed, .armed])
        #expect(Set(armed.events.compactMap(\.zone)) == ["Z01", "Z02", "S01"])
        #expect(armed.events.allSatisfy { $0.user == "schedule" })
        #expect(rig.engine.zoneControl["S01"]?.armedBy == "schedule")
        #expect(rig.engine.zoneControl["Y01"]?.armed == true)
        // Armed now: a trip raises.
        #expect(rig.zone("Z02", .alarm).kinds == [.raised])

        rig.now = siteTime(plusMinutes: 14 * 60 + 59)  // Sat 06:59
        #expect(rig.tick().events.isEmpty)
        rig.now = siteTime(plusMinutes: 15 * 60 + 1)  // Sat 07:01
        let disarmed = rig.tick()
        #expect(disarmed.kinds == [.disarmed, .disarmed, .disarmed])
        #expect(disarmed.events.allSatisfy { $0.user == "schedule" })
        #expect(["Z01", "Z02", "S01"].allSatisfy { rig.engine.zoneControl[$0]?.armed == false })
        #expect(rig.alarm(.zone, "Z02") != nil, "disarming does not drop an open alarm")
    }

    @Test("a scheduled arm raises at once for a zone that is already in alarm")
    func scheduledArmRaisesOpenZone() throws {
        var rig = try Rig()
        rig.zone("Z01", .normal)
        rig.zone("Z01", .alarm)
        #expect(rig.engine.alarms.isEmpty)
        rig.now = siteTime(plusMinutes: 181)
        let out = rig.tick()
        #expect(out.kinds.filter { $0 == .armed }.count == 3)
        let raised = out.events.filter { $0.kind == .raised }
        #expect(raised.count == 1)
        #expect(raised.first?.alarm?.source == AlarmSource(.zone, "Z01"))
    }

    @Test("a manually disarmed zone is armed again by the next scheduled arm")
    func scheduleOverridesEarlierManualDisarm() throws {
        var rig = try Rig(at: siteTime(plusMinutes: 4 * 60))  // 20:00: armed by schedule
        try rig.command(.disarm(target: "Z01", user: "张三"))
        rig.now = siteTime(plusMinutes: 15 * 60 + 1)  // Sat 07:01: disarm of the rest
        #expect(rig.tick().kinds == [.disarmed, .disarmed])
        rig.now = siteTime(plusMinutes: 27 * 60 + 1)  // Sat 19:01
        #expect(rig.tick().kinds == [.armed, .armed, .armed])
    }

    /// The test site with the fire zone F01 and the 24-hour zone H01 in the scheduled perimeter area.
    static let mixedAreaYAML = siteYAML
        .replacingOccurrences(of: "type: fire, input: \"di-1.di[8]\"}", with: "type: fire, input: \"di-1.di[8]\", area: perimeter}")
        .replacingOccurrences(of: "type: 24h, input: \"di-1.di[10]\"}", with: "type: 24h, input: \"di-1.di[10]\", area: perimeter}")

    @Test("disarm of an area disarms only what can be disarmed and says which zones stay armed")
    func disarmAreaWithFireZone() throws {
        let config = try loadSite(Self.mixedAreaYAML)
        #expect(config.zones.first { $0.id == "F01" }?.area == "perimeter")
        var rig = Rig(config: config, engine: AlarmEngine(config: config, now: afternoon), at: afternoon)
        #expect(rig.engine.zoneControl["F01"]?.armed == true, "the schedule (disarmed at 16:00) does not disarm a fire zone")
        #expect(rig.engine.zoneControl["H01"]?.armed == true)
        // F01 in alarm does not stop the perimeter from being armed: arming does not concern it.
        rig.zone("F01", .alarm)
        let armed = try rig.command(.arm(target: "perimeter", user: "张三"))
        #expect(Set(armed.events.compactMap(\.zone)) == ["Z01", "Z02", "S01"])
        let disarmed = try rig.command(.disarm(target: "perimeter", user: "李四"))
        #expect(disarmed.kinds == [.disarmed, .disarmed, .disarmed])
        #expect(Set(disarmed.events.compactMap(\.zone)) == ["Z01", "Z02", "S01"], "F01 and H01 are not listed as disarmed")
        #expect(disarmed.events.allSatisfy { $0.text?.contains("F01") == true && $0.text?.contains("H01") == true },
                "the result says which zones stay armed: \(disarmed.events.map { $0.text ?? "-" })")
        #expect(rig.engine.zoneControl["F01"]?.armed == true)
        #expect(rig.engine.zoneControl["H01"]?.armed == true)
        // The schedule's 07:00 disarm leaves them armed too.
        rig.now = siteTime(plusMinutes: 181)  // 19:01: the schedule arms
        #expect(Set(rig.tick().events.filter { $0.kind == .armed }.compactMap(\.zone)) == ["Z01", "Z02", "S01"])
        rig.now = siteTime(plusMinutes: 15 * 60 + 1)  // Sat 07:01
        let scheduled = rig.tick()
        #expect(Set(scheduled.events.filter { $0.kind == .disarmed }.compactMap(\.zone)) == ["Z01", "Z02", "S01"])
        #expect(rig.engine.zoneControl["F01"]?.armed == true)
    }

    @Test("an area of only always-armed zones cannot be disarmed; a journal's old disarm of a fire zone is undone at start")
    func alwaysArmedOnly() throws {
        let yaml = siteYAML.replacingOccurrences(of: "type: fire, input: \"di-1.di[8]\"}", with: "type: fire, input: \"di-1.di[8]\", area: plant}")
            .replacingOccurrences(of: "  - {id: yard, name: 院内}", with: "  - {id: yard, name: 院内}\n  - {id: plant, name: 消防}")
        let config = try loadSite(yaml)
        var rig = Rig(config: config, engine: AlarmEngine(config: config, zoneControl: ["F01": ZoneControl(armed: false)], now: afternoon), at: afternoon)
        #expect(rig.engine.zoneControl["F01"]?.armed == true, "a fire zone is always armed, whatever an old journal says")
        let r = refusal { try rig.command(.disarm(target: "plant", user: "李四")) }
        #expect(r?.code == .illegalTransition)
        #expect(r?.message.contains("F01") == true, "\(r?.message ?? "-")")
    }

    /// (minute of the day in site time, whether the perimeter should be armed then)
    static let startTimes: [(Double, Bool)] = [(16 * 60, false), (19 * 60, true), (23 * 60 + 30, true), (6 * 60 + 59, true), (7 * 60, false)]

    @Test("at start the arming follows the schedule", arguments: startTimes)
    func initialArmingFollowsSchedule(minuteOfDay: Double, armed: Bool) throws {
        // afternoon is 16:00 site time; go to the wanted time of the same or the next day.
        let minutes = minuteOfDay >= 16 * 60 ? minuteOfDay - 16 * 60 : minuteOfDay + 8 * 60
        let rig = try Rig(at: siteTime(plusMinutes: minutes))
        for z in ["Z01", "Z02", "S01"] { #expect(rig.engine.zoneControl[z]?.armed == armed, "\(z)") }
        // Zones without a scheduled area start armed.
        for z in ["Y01", "F01", "P01", "H01", "S02"] { #expect(rig.engine.zoneControl[z]?.armed == true, "\(z)") }
    }

    @Test("a restored zone control wins over the schedule at start")
    func restoredControlWinsOverSchedule() throws {
        let config = try testSite()
        var control = ZoneControl(armed: false)
        control.armedBy = "张三"
        let engine = AlarmEngine(config: config, zoneControl: ["Z01": control], now: siteTime(plusMinutes: 5 * 60))  // 21:00
        #expect(engine.zoneControl["Z01"] == control)
        #expect(engine.zoneControl["Z02"]?.armed == true)
    }
}
