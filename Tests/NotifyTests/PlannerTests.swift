import Alarms
import Foundation
import Notify
import SiteConfig
import Testing

/// Which notifications go to which target, from alarm events the engine produces.
@Suite("Notification planner")
struct PlannerTests {
    /// Five targets, one per format; `am` wants high and above, `feishu` only critical.
    static let notifyYAML = """
        notify:
          - {id: std, format: standard, url: "http://127.0.0.1:9/std"}
          - {id: am, format: alertmanager, url: "http://127.0.0.1:9/am", min_priority: high}
          - {id: wecom, format: wecom, url: "http://127.0.0.1:9/wecom"}
          - {id: ding, format: dingtalk, url: "http://127.0.0.1:9/ding", secret_env: WATCHROOM_TEST_UNUSED}
          - {id: feishu, format: feishu, url: "http://127.0.0.1:9/feishu", secret_env: WATCHROOM_TEST_UNUSED, min_priority: critical}
        """
    static let site = Result<SiteConfig, any Error> { try loadSite(siteYAML(notify: notifyYAML)) }

    func rig(at t: Date = dayTime) throws -> NotifyRig { NotifyRig(config: try Self.site.get(), at: t) }

    func targets(_ planned: [(target: String, notification: Notify.Notification)], kind: Notify.Notification.Kind? = nil) -> Set<String> {
        Set(planned.filter { kind == nil || $0.notification.kind == kind }.map(\.target))
    }

    @Test("a raised alarm goes to every target whose minimum priority it meets")
    func raisedByPriority() throws {
        var r = try rig()
        // Z01 perimeter: high.
        let z01 = r.planner.plan(try r.trip("Z01", at: dayTime))
        #expect(targets(z01) == ["std", "am", "wecom", "ding"])
        #expect(z01.allSatisfy { $0.notification.kind == .raised })
        // F01 fire: critical, so feishu too.
        let f01 = r.planner.plan(try r.trip("F01", at: dayTime))
        #expect(targets(f01) == ["std", "am", "wecom", "ding", "feishu"])
        // H01 medium: below am's high.
        let h01 = r.planner.plan(try r.trip("H01", at: dayTime))
        #expect(targets(h01) == ["std", "wecom", "ding"])
        // L01 low: only targets with the default minimum (low).
        let l01 = r.planner.plan(try r.trip("L01", at: dayTime))
        #expect(targets(l01) == ["std", "wecom", "ding"])
    }

    @Test("min_priority: critical lets only critical alarms through to that target")
    func minPriorityCritical() throws {
        var r = try rig()
        var feishuKinds: [String] = []
        for z in ["Z01", "Z02", "H01", "L01", "F01"] {
            for p in r.planner.plan(try r.trip(z, at: dayTime)) where p.target == "feishu" {
                feishuKinds.append(p.notification.alarm?.source.id ?? "?")
            }
        }
        #expect(feishuKinds == ["F01"])
    }

    @Test("chat targets get no acknowledgement or resolution; standard and alertmanager get both")
    func chatTargetsSkipAckAndResolve() throws {
        var r = try rig()
        _ = try r.trip("Z01", at: dayTime)
        let id = try r.alarmID("Z01")
        let t1 = dayTime.addingTimeInterval(30)
        let ack = r.planner.plan(try r.command(.acknowledge(alarm: id, user: "张伟"), at: t1))
        #expect(targets(ack) == ["std", "am"])
        #expect(ack.allSatisfy { $0.notification.kind == .acknowledged })
        #expect(ack.first?.notification.text.contains("确认人：张伟") == true)

        // Returned: no notification by itself (the latched alarm awaits reset).
        let returned = r.planner.plan(try r.restore("Z01", at: t1.addingTimeInterval(10)))
        #expect(returned.isEmpty)
        _ = try r.command(.note(alarm: id, user: "张伟", text: "巡查：围墙外有人攀爬，已驱离"), at: t1.addingTimeInterval(20))
        let reset = r.planner.plan(try r.command(.reset(alarm: id, user: "张伟"), at: t1.addingTimeInterval(30)))
        #expect(targets(reset) == ["std", "am"])
        #expect(reset.allSatisfy { $0.notification.kind == .resolved && $0.notification.isResolved })
    }

    @Test("an alarm cleared by acknowledge after it returned resolves on standard and alertmanager only")
    func clearedIsResolved() throws {
        // A fault is not latched: returned unacknowledged, then acknowledged, it closes (cleared).
        var r = try rig()
        let zone = try r.zone("Z02")
        _ = r.engine.apply([.zone(zone, from: .normal, to: .fault, value: "fault")], at: dayTime)
        _ = r.engine.apply([.zone(zone, from: .fault, to: .normal, value: "ok")], at: dayTime.addingTimeInterval(5))
        let id = try #require(r.engine.alarms.values.first { $0.source.id == "Z02" && $0.condition == .fault }?.id)
        let planned = r.planner.plan(try r.command(.acknowledge(alarm: id, user: "张伟"), at: dayTime.addingTimeInterval(10)))
        // medium fault: am (high) does not want it at all.
        #expect(targets(planned, kind: .resolved) == ["std"])
        #expect(targets(planned, kind: .acknowledged) == ["std"])
        #expect(!targets(planned).contains("wecom"))
        #expect(!targets(planned).contains("ding"))
    }

    @Test("escalation adds the supervisor to the recipients and the text, for every target")
    func escalationAddsSupervisor() throws {
        var r = try rig()
        let raised = r.planner.plan(try r.trip("Z01", at: dayTime))
        let first = try #require(raised.first?.notification)
        #expect(first.recipients.map(\.name) == [dayLeader.name])
        #expect(r.planner.plan(r.tick(at: dayTime.addingTimeInterval(299))).isEmpty)
        let escalated = r.planner.plan(r.tick(at: dayTime.addingTimeInterval(300)))
        #expect(targets(escalated) == ["std", "am", "wecom", "ding"])
        for p in escalated {
            #expect(p.notification.kind == .escalated)
            #expect(p.notification.recipients.map(\.name) == [dayLeader.name, supervisorPerson.name])
            #expect(p.notification.recipients.map(\.mobile) == [dayLeader.mobile, supervisorPerson.mobile])
            #expect(p.notification.text.contains(supervisorPerson.name))
            #expect(p.notification.text.contains(supervisorPerson.mobile))
        }
        // Acknowledge stops escalation at once.
        _ = try r.command(.acknowledge(alarm: try r.alarmID("Z01"), user: "张伟"), at: dayTime.addingTimeInterval(301))
        #expect(targets(r.planner.plan(r.tick(at: dayTime.addingTimeInterval(2000))), kind: .escalated).isEmpty)
    }

    @Test("an escalation at night calls the night leader and the supervisor")
    func escalationAtNight() throws {
        var r = try rig(at: nightTime)
        _ = try r.trip("F01", at: nightTime)
        let escalated = r.planner.plan(r.tick(at: nightTime.addingTimeInterval(300)))
        let n = try #require(escalated.first { $0.target == "feishu" }?.notification)
        #expect(n.recipients.map(\.name) == [nightLeader.name, supervisorPerson.name])
        #expect(n.shift == "night")
    }

    @Test("the leader named is the one on duty at the event's time, to the minute")
    func leaderAtEventTime() throws {
        var r = try rig(at: siteDate(2027, 1, 15, 19, 0))
        let before = r.planner.plan(try r.trip("Z01", at: siteDate(2027, 1, 15, 19, 59, 59)))
        let after = r.planner.plan(try r.trip("Z02", at: siteDate(2027, 1, 15, 20, 0, 0)))
        let b = try #require(before.first?.notification)
        let a = try #require(after.first?.notification)
        #expect(b.recipients.first?.name == dayLeader.name)
        #expect(b.shift == "day")
        #expect(b.text.contains("值班班长") && b.text.contains(dayLeader.name) && b.text.contains(dayLeader.mobile))
        #expect(a.recipients.first?.name == nightLeader.name)
        #expect(a.shift == "night")
        #expect(a.text.contains(nightLeader.name) && a.text.contains(nightLeader.mobile))
        #expect(!a.text.contains(dayLeader.name))
    }

    @Test("a shelved alarm produces no notification; after unshelving it does again")
    func shelvedProducesNone() throws {
        var r = try rig()
        _ = try r.trip("Z01", at: dayTime)
        let id = try r.alarmID("Z01")
        let shelve = try r.command(.shelve(alarm: id, user: "张伟", reason: "施工期间误报", duration: .seconds(3600)), at: dayTime.addingTimeInterval(10))
        #expect(r.planner.plan(shelve).isEmpty)
        // It returns and comes back while shelved: re-activated, but hidden.
        _ = try r.restore("Z01", at: dayTime.addingTimeInterval(20))
        let again = try r.trip("Z01", at: dayTime.addingTimeInterval(30))
        #expect(again.contains { $0.kind == .reactivated && $0.alarm?.shelved != nil })
        #expect(r.planner.plan(again).isEmpty)
        // Nor does a shelved alarm escalate.
        #expect(r.planner.plan(r.tick(at: dayTime.addingTimeInterval(1000))).isEmpty)
        // Unshelved, the next activation notifies again (so the planner is not silent for this alarm).
        _ = try r.command(.unshelve(alarm: id, user: "张伟"), at: dayTime.addingTimeInterval(1010))
        _ = try r.restore("Z01", at: dayTime.addingTimeInterval(1020))
        let back = r.planner.plan(try r.trip("Z01", at: dayTime.addingTimeInterval(1030)))
        #expect(targets(back, kind: .reactivated) == ["std", "am", "wecom", "ding"])
    }

    @Test("any alarm event carrying a shelved alarm (raised, escalated, ...) is not planned")
    func shelvedEventsOfEveryKind() throws {
        var r = try rig()
        _ = try r.trip("Z01", at: dayTime)
        let id = try r.alarmID("Z01")
        _ = try r.command(.shelve(alarm: id, user: "张伟", reason: "维修", duration: .seconds(600)), at: dayTime)
        let alarm = try #require(r.engine.alarms[id])
        #expect(alarm.shelved != nil)
        for kind in [AlarmEvent.Kind.raised, .reactivated, .escalated, .acknowledged] {
            #expect(r.planner.plan([AlarmEvent(kind: kind, time: dayTime, alarm: alarm)]).isEmpty, "\(kind)")
        }
        // The same events without the shelving are planned (the check above can fail).
        var unshelved = alarm
        unshelved.shelved = nil
        #expect(!r.planner.plan([AlarmEvent(kind: .raised, time: dayTime, alarm: unshelved)]).isEmpty)
    }

    @Test("a delivery failure of target X goes to every other target, whatever their minimum priority, never to X")
    func deliveryFailureNotToItself() throws {
        var r = try rig()
        for failing in ["wecom", "std", "feishu"] {
            let events = r.engine.system("notify-\(failing)", .deliveryFailure, name: "通知通道 \(failing) 投递失败",
                                         active: true, detail: "HTTP 400", at: dayTime).events
            let planned = r.planner.plan(events)
            let expected = Set(["std", "am", "wecom", "ding", "feishu"]).subtracting([failing])
            #expect(targets(planned) == expected, "failure of \(failing)")
            #expect(planned.allSatisfy { $0.notification.kind == .deliveryFailure })
        }
        // Its escalation is not sent to X either.
        let escalated = r.planner.plan(r.tick(at: dayTime.addingTimeInterval(300)))
        let wecomFailure = escalated.filter { $0.notification.alarm?.source.id == "notify-wecom" }
        #expect(!wecomFailure.isEmpty)
        #expect(!targets(wecomFailure).contains("wecom"))
        #expect(targets(wecomFailure).contains("ding"))
    }

    @Test("events that need nobody (armed, noted, returned, chattering) are not planned")
    func eventsWithoutNotification() throws {
        var r = try rig()
        _ = try r.trip("H01", at: dayTime)
        let id = try r.alarmID("H01")
        let noted = try r.command(.note(alarm: id, user: "张伟", text: "已查看"), at: dayTime.addingTimeInterval(1))
        #expect(r.planner.plan(noted).isEmpty)
        let disarmed = try r.command(.disarm(target: "Z02", user: "张伟"), at: dayTime.addingTimeInterval(2))
        #expect(!disarmed.isEmpty)
        #expect(r.planner.plan(disarmed).isEmpty)
        let returned = try r.restore("H01", at: dayTime.addingTimeInterval(3))
        #expect(!returned.isEmpty)
        #expect(r.planner.plan(returned).isEmpty)
    }

    @Test("a failed self-test asks for repair on every target that takes high priority; a passed one asks nothing")
    func repairRequired() throws {
        let r = try rig()
        let failed = AlarmEvent(kind: .selfTestResult, time: dayTime, zone: "Z01", text: "fail: loop did not open")
        let planned = r.planner.plan([failed])
        #expect(targets(planned) == ["std", "am", "wecom", "ding"])
        let n = try #require(planned.first?.notification)
        #expect(n.kind == .repairRequired)
        #expect(n.recipients.map(\.name) == [dayLeader.name])
        #expect(n.text.contains("北围墙东段"))
        #expect(r.planner.plan([AlarmEvent(kind: .selfTestResult, time: dayTime, zone: "Z01", text: "pass")]).isEmpty)
    }

    @Test("the notification carries the site, the zone name in Chinese and the site's local time")
    func notificationText() throws {
        var r = try rig()
        let n = try #require(r.planner.plan(try r.trip("Z01", at: dayTime)).first?.notification)
        #expect(n.site == "测试园区监控中心")
        #expect(n.title.contains("北围墙东段"))
        #expect(n.title.contains("Z01"))
        #expect(n.text.contains("2027-01-15 10:00:00"))  // site time, not UTC (02:00)
        #expect(n.priority == .high)
    }
}
