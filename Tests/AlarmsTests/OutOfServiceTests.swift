import Alarms
import Foundation
import SiteConfig
import Testing

/// A zone taken out of service for maintenance does not alarm (each trip is recorded as suppressed)
/// until it is returned; then its input is evaluated again at once.
@Suite("Out of service: suppressed until returned, then evaluated at once")
struct OutOfServiceTests {
    @Test("taking a zone out of service records who and why")
    func outOfServiceRecorded() throws {
        var rig = try Rig()
        let out = try rig.command(.outOfService(zone: "H01", user: "王工", reason: "更换探测器"))
        #expect(out.kinds == [.outOfService])
        #expect(out.events.first?.zone == "H01")
        #expect(out.events.first?.user == "王工")
        #expect(out.events.first?.text == "更换探测器")
        let control = try #require(rig.engine.zoneControl["H01"])
        #expect(control.outOfService)
        #expect(control.outOfServiceBy == "王工")
        #expect(control.outOfServiceReason == "更换探测器")
        #expect(control.outOfServiceAt == rig.now)
    }

    @Test("trips of an out-of-service zone are suppressed, not raised", arguments: [
        ("H01", ZoneCondition.alarm), ("F01", .alarm), ("S02", .alarm), ("S02", .tamper), ("S02", .fault),
    ])
    func tripsSuppressed(zone: String, condition: ZoneCondition) throws {
        var rig = try Rig()
        rig.zone(zone, .normal)
        try rig.command(.outOfService(zone: zone, user: "王工", reason: "维修"))
        let out = rig.zone(zone, condition)
        #expect(out.kinds == [.suppressed])
        #expect(out.events.first?.zone == zone)
        #expect(out.events.first?.text?.contains(condition.rawValue) == true)
        #expect(rig.engine.alarms.isEmpty)
        // Back to normal while out of service: nothing to report.
        #expect(rig.zone(zone, .normal).events.isEmpty)
    }

    @Test("return to service with the input still in alarm raises it")
    func returnWhileInAlarmRaises() throws {
        var rig = try Rig()
        rig.zone("H01", .normal)
        try rig.command(.outOfService(zone: "H01", user: "王工", reason: "维修"))
        rig.zone("H01", .alarm)
        rig.advance(seconds: 600)
        let out = try rig.command(.returnToService(zone: "H01", user: "王工"))
        #expect(out.kinds == [.returnedToService, .raised])
        #expect(out.events.first?.user == "王工")
        let alarm = try #require(out.events.last?.alarm)
        #expect(alarm.source == AlarmSource(.zone, "H01"))
        #expect(alarm.raisedAt == rig.now)
        let control = try #require(rig.engine.zoneControl["H01"])
        #expect(!control.outOfService)
        #expect(control.outOfServiceBy == nil)
        #expect(control.outOfServiceReason == nil)
    }

    @Test("return to service with the input normal raises nothing")
    func returnWhileNormal() throws {
        var rig = try Rig()
        rig.zone("H01", .normal)
        try rig.command(.outOfService(zone: "H01", user: "王工", reason: "维修"))
        rig.zone("H01", .alarm)
        rig.zone("H01", .normal)
        #expect(try rig.command(.returnToService(zone: "H01", user: "王工")).kinds == [.returnedToService])
        #expect(rig.engine.alarms.isEmpty)
        // In service again: the next trip raises.
        #expect(rig.zone("H01", .alarm).kinds == [.raised])
    }

    @Test("return to service of a disarmed perimeter zone in alarm raises nothing")
    func returnDisarmedPerimeter() throws {
        var rig = try Rig()  // perimeter disarmed at 16:00
        rig.zone("Z01", .normal)
        try rig.command(.outOfService(zone: "Z01", user: "王工", reason: "维修"))
        rig.zone("Z01", .alarm)
        #expect(try rig.command(.returnToService(zone: "Z01", user: "王工")).kinds == [.returnedToService])
        #expect(rig.engine.alarms.isEmpty)
    }

    @Test("an out-of-service zone in alarm does not block arming its area; it raises on return")
    func outOfServiceDoesNotBlockArming() throws {
        var rig = try Rig()
        for z in ["Z01", "Z02", "S01"] { rig.zone(z, .normal) }
        try rig.command(.outOfService(zone: "S01", user: "王工", reason: "围栏维修"))
        rig.zone("S01", .alarm)
        let armed = try rig.command(.arm(target: "perimeter", user: "张三"))
        #expect(armed.kinds.filter { $0 == .armed }.count == 3, "arming is not refused for an out-of-service zone")
        // Arming re-evaluates S01's input: still in alarm, and still suppressed.
        #expect(armed.events.filter { $0.kind != .armed }.map(\.kind) == [.suppressed])
        #expect(rig.engine.alarms.isEmpty, "out of service: still no alarm after arming")
        #expect(try rig.command(.returnToService(zone: "S01", user: "王工")).kinds == [.returnedToService, .raised])
    }

    @Test("a zone already out of service cannot be taken out again")
    func doubleOutOfServiceRefused() throws {
        var rig = try Rig()
        try rig.command(.outOfService(zone: "H01", user: "王工", reason: "维修"))
        let r = refusal { try rig.command(.outOfService(zone: "H01", user: "李四", reason: "again")) }
        #expect(r?.code == .illegalTransition)
        #expect(r?.message.contains("already out of service") == true)
        #expect(r?.message.contains("王工") == true)
        #expect(rig.engine.zoneControl["H01"]?.outOfServiceBy == "王工", "the first record is kept")
    }

    @Test("returning a zone that is in service is refused")
    func returnInServiceRefused() throws {
        var rig = try Rig()
        let r = refusal { try rig.command(.returnToService(zone: "H01", user: "王工")) }
        #expect(r?.code == .illegalTransition)
        #expect(r?.message.contains("in service") == true)
    }

    @Test("an unknown zone is not found", arguments: [
        OperatorCommand.outOfService(zone: "X99", user: "王工", reason: "维修"), .returnToService(zone: "X99", user: "王工"),
    ])
    func unknownZone(command: OperatorCommand) throws {
        var rig = try Rig()
        let r = refusal { try rig.command(command) }
        #expect(r?.code == .notFound)
        #expect(r?.message.contains("X99") == true)
    }

    @Test("out of service needs a reason and a user")
    func needsReasonAndUser() throws {
        var rig = try Rig()
        let noReason = refusal { try rig.command(.outOfService(zone: "H01", user: "王工", reason: " ")) }
        #expect(noReason?.code == .invalid)
        #expect(noReason?.message.contains("reason") == true)
        let noUser = refusal { try rig.command(.outOfService(zone: "H01", user: "", reason: "维修")) }
        #expect(noUser?.code == .invalid)
        #expect(noUser?.message.contains("user") == true)
        #expect(rig.engine.zoneControl["H01"]?.outOfService == false)
    }
}
