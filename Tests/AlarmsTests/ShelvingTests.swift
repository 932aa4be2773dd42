import Alarms
import Foundation
import SiteConfig
import Testing

/// Shelving hides a nuisance alarm for a bounded time, with user and reason, and it comes back by
/// itself. The site allows at most 60 minutes; life-safety alarms (fire, panic) are never shelved.
@Suite("Shelving: bounded, with reason and user, never for life safety")
struct ShelvingTests {
    /// A rig with an unacknowledged perimeter alarm on Y01.
    static func rigWithAlarm() throws -> (Rig, Int) {
        var rig = try Rig()
        rig.zone("Y01", .normal)
        let id = try #require(rig.zone("Y01", .alarm).events.first?.alarm?.id)
        return (rig, id)
    }

    @Test("shelving records who, why and until when")
    func shelveRecordsUserReasonExpiry() throws {
        var (rig, id) = try Self.rigWithAlarm()
        let out = try rig.command(.shelve(alarm: id, user: "张三", reason: "  围栏施工,误报频繁 ", duration: .seconds(30 * 60)))
        #expect(out.kinds == [.shelved])
        #expect(out.events.first?.user == "张三")
        #expect(out.events.first?.text == "围栏施工,误报频繁")
        let shelving = try #require(rig.engine.alarms[id]?.shelved)
        #expect(shelving.user == "张三")
        #expect(shelving.reason == "围栏施工,误报频繁")
        #expect(shelving.at == rig.now)
        #expect(shelving.until == rig.now.addingTimeInterval(1800))
        #expect(rig.engine.alarms[id]?.state == .unacknowledged, "shelving does not acknowledge")
    }

    @Test("shelving needs a reason", arguments: ["", "   ", "\t"])
    func shelveNeedsReason(reason: String) throws {
        var (rig, id) = try Self.rigWithAlarm()
        let r = refusal { try rig.command(.shelve(alarm: id, user: "张三", reason: reason, duration: .seconds(600))) }
        #expect(r?.code == .invalid)
        #expect(r?.message.contains("reason") == true)
        #expect(rig.engine.alarms[id]?.shelved == nil)
    }

    @Test("shelving needs a user")
    func shelveNeedsUser() throws {
        var (rig, id) = try Self.rigWithAlarm()
        let r = refusal { try rig.command(.shelve(alarm: id, user: " ", reason: "施工", duration: .seconds(600))) }
        #expect(r?.code == .invalid)
        #expect(r?.message.contains("user") == true)
        #expect(rig.engine.alarms[id]?.shelved == nil)
    }

    @Test("the site maximum (60 minutes) is allowed exactly, and refused beyond")
    func siteMaximum() throws {
        let config = try testSite()
        #expect(config.maxShelve == .seconds(3600))
        var (rig, id) = try Self.rigWithAlarm()
        for duration in [Duration.seconds(3601), .seconds(61 * 60), .seconds(8 * 3600)] {
            let r = refusal { try rig.command(.shelve(alarm: id, user: "张三", reason: "施工", duration: duration)) }
            #expect(r?.code == .invalid)
            #expect(r?.message.contains("at most 60 minutes") == true, "\(r?.message ?? "")")
        }
        #expect(rig.engine.alarms[id]?.shelved == nil)
        #expect(try rig.command(.shelve(alarm: id, user: "张三", reason: "施工", duration: .seconds(3600))).kinds == [.shelved])
    }

    @Test("a zero or negative shelving time is refused", arguments: [Duration.zero, .seconds(-60)])
    func nonPositiveDuration(duration: Duration) throws {
        var (rig, id) = try Self.rigWithAlarm()
        let r = refusal { try rig.command(.shelve(alarm: id, user: "张三", reason: "施工", duration: duration)) }
        #expect(r?.code == .invalid)
        #expect(r?.message.contains("positive") == true)
    }

    @Test("fire and panic alarms (critical) cannot be shelved", arguments: ["F01", "P01"])
    func lifeSafetyNotShelved(zone: String) throws {
        var rig = try Rig()
        rig.zone(zone, .normal)
        let alarm = try #require(rig.zone(zone, .alarm).events.first?.alarm)
        #expect(alarm.priority == .critical)
        let r = refusal { try rig.command(.shelve(alarm: alarm.id, user: "张三", reason: "误报", duration: .seconds(600))) }
        #expect(r?.code == .illegalTransition)
        #expect(r?.message.contains("cannot be shelved") == true)
        #expect(rig.engine.alarms[alarm.id]?.shelved == nil)
    }

    @Test("shelving expires by itself: nothing before the time, unshelved at and after it")
    func shelveExpiry() throws {
        var (rig, id) = try Self.rigWithAlarm()
        try rig.command(.shelve(alarm: id, user: "张三", reason: "施工", duration: .seconds(30 * 60)))
        let until = try #require(rig.engine.alarms[id]?.shelved?.until)

        rig.now = until.addingTimeInterval(-1)
        #expect(rig.tick().events.isEmpty)
        #expect(rig.engine.alarms[id]?.shelved != nil)

        rig.now = until.addingTimeInterval(1)
        let out = rig.tick()
        #expect(out.kinds == [.unshelved])
        #expect(out.events.first?.user == "shelve-expiry")
        #expect(out.events.first?.text?.contains("张三") == true)
        #expect(out.events.first?.alarm?.shelved == nil)
        #expect(rig.engine.alarms[id]?.shelved == nil)
        #expect(rig.engine.alarms[id]?.state == .unacknowledged)

        rig.advance(seconds: 60)
        #expect(rig.tick().events.isEmpty, "expiry is reported once")
    }

    @Test("only the expired shelving ends; another alarm shelved longer stays shelved")
    func expiryPerAlarm() throws {
        var rig = try Rig()
        rig.zone("Y01", .normal)
        let short = try #require(rig.zone("Y01", .alarm).events.first?.alarm?.id)
        let long = try #require(rig.equipment("ups-on-battery", .alarm).events.first?.alarm?.id)
        try rig.command(.shelve(alarm: short, user: "张三", reason: "施工", duration: .seconds(600)))
        try rig.command(.shelve(alarm: long, user: "张三", reason: "市电检修", duration: .seconds(3600)))
        rig.advance(seconds: 601)
        let out = rig.tick()
        #expect(out.events.map { $0.alarm?.id } == [short])
        #expect(rig.engine.alarms[long]?.shelved != nil)
    }

    @Test("unshelve of an alarm that is not shelved is refused")
    func unshelveNotShelved() throws {
        var (rig, id) = try Self.rigWithAlarm()
        let r = refusal { try rig.command(.unshelve(alarm: id, user: "张三")) }
        #expect(r?.code == .illegalTransition)
        #expect(r?.message.contains("not shelved") == true)
    }

    @Test("an operator can unshelve early")
    func unshelveEarly() throws {
        var (rig, id) = try Self.rigWithAlarm()
        try rig.command(.shelve(alarm: id, user: "张三", reason: "施工", duration: .seconds(1800)))
        rig.advance(seconds: 120)
        let out = try rig.command(.unshelve(alarm: id, user: "李四"))
        #expect(out.kinds == [.unshelved])
        #expect(out.events.first?.user == "李四")
        #expect(rig.engine.alarms[id]?.shelved == nil)
        rig.advance(seconds: 1800)
        #expect(rig.tick().events.isEmpty, "no expiry after an early unshelve")
    }

    @Test("shelving an unknown alarm is not found")
    func shelveUnknown() throws {
        var rig = try Rig()
        let r = refusal { try rig.command(.shelve(alarm: 42, user: "张三", reason: "施工", duration: .seconds(60))) }
        #expect(r?.code == .notFound)
    }
}
