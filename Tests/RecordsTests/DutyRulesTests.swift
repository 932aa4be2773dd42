import Alarms
import Foundation
import Records
import SiteConfig
import Testing

/// The duty records' rules (site rules 8-10) without a journal or a daemon: what is allowed,
/// what is refused and with which message, and what is recorded. The clock is injected (`testNow`).
@Suite("Duty record rules")
struct DutyRulesTests {
    /// The refusal `body` throws, or a recorded issue when it is allowed.
    func refusal(_ body: () throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> CommandRefusal? {
        do { try body() } catch let refusal as CommandRefusal { return refusal } catch {
            Issue.record("failed with \(error), not with an operator's refusal", sourceLocation: sourceLocation)
            return nil
        }
        Issue.record("allowed, but the rule should refuse it", sourceLocation: sourceLocation)
        return nil
    }

    func request(by: String = "王五") throws -> PlaybackRequest {
        var r = try PlaybackRequest.asked(recorder: recorder(), camera: "C03", from: testNow.addingTimeInterval(-3600), to: testNow,
                                          by: by, reason: "警情复核", at: testNow)
        r.id = 1
        return r
    }

    // MARK: playback

    @Test("a playback request records who asks, why and when; a camera not on the recorder or an empty window is refused")
    func playbackRequest() throws {
        let r = try request()
        #expect(r.requestedBy == "王五" && r.reason == "警情复核" && r.requestedAt == testNow && r.state == "pending")
        let camera = refusal { _ = try PlaybackRequest.asked(recorder: recorder(), camera: "C09", from: testNow.addingTimeInterval(-60), to: testNow, by: "王五", reason: "x", at: testNow) }
        #expect(camera?.code == .invalid && camera?.message.contains("camera 'C09' is not on recorder NVR-1 (cameras: C01, C02, C03)") == true, "\(String(describing: camera))")
        let window = refusal { _ = try PlaybackRequest.asked(recorder: recorder(), camera: "C01", from: testNow, to: testNow, by: "王五", reason: "x", at: testNow) }
        #expect(window?.message == "--from must be before --to")
        let reason = refusal { _ = try PlaybackRequest.asked(recorder: recorder(), camera: "C01", from: testNow.addingTimeInterval(-60), to: testNow, by: "王五", reason: "  ", at: testNow) }
        #expect(reason?.message == "--reason is required")
    }

    @Test("only a listed approver approves playback; with none configured nobody can")
    func approverNotOnTheList() throws {
        let other = refusal { _ = try PlaybackRequest.approver("张三", among: ["赵主任"]) }
        #expect(other?.code == .invalid && other?.message == "张三 may not approve playback; approvers: 赵主任")
        let none = refusal { _ = try PlaybackRequest.approver("赵主任", among: []) }
        #expect(none?.message.contains("no playback approvers are configured") == true && none?.message.contains("赵主任 cannot approve") == true)
        let missing = refusal { _ = try PlaybackRequest.approver(nil, among: ["赵主任"]) }
        #expect(missing?.message == "--by (the approver) is required")
        #expect(try PlaybackRequest.approver(" 赵主任 ", among: ["赵主任"]) == "赵主任")
    }

    @Test("who asked for playback cannot also approve it; a request is approved once, and the approval is recorded")
    func selfApproval() throws {
        var r = try request(by: "赵主任")
        let own = refusal { try r.approve(by: "赵主任", at: testNow) }
        #expect(own?.code == .invalid && own?.message == "赵主任 asked for playback request 1 and cannot also approve it")
        #expect(r.approvedBy == nil)

        var other = try request()
        try other.approve(by: "赵主任", at: testNow.addingTimeInterval(60))
        #expect(other.approvedBy == "赵主任" && other.approvedAt == testNow.addingTimeInterval(60) && other.state == "approved")
        let again = refusal { try other.approve(by: "钱副主任", at: testNow) }
        #expect(again?.code == .illegalTransition && again?.message == "playback request 1 was already approved by 赵主任")
        #expect(other.approvedBy == "赵主任")
    }

    @Test("footage is viewed only after the director's approval; each viewing is recorded")
    func viewingBeforeApproval() throws {
        var r = try request()
        let early = refusal { try r.view(by: "王五", at: testNow) }
        #expect(early?.code == .illegalTransition && early?.message == "playback request 1 is not approved yet; viewing needs the director's approval")
        #expect(r.viewings.isEmpty)
        try r.approve(by: "赵主任", at: testNow)
        try r.view(by: "王五", at: testNow.addingTimeInterval(120))
        try r.view(by: "李四", at: testNow.addingTimeInterval(180))
        #expect(r.viewings == [.init(by: "王五", at: testNow.addingTimeInterval(120)), .init(by: "李四", at: testNow.addingTimeInterval(180))])
        #expect(refusal { _ = try PlaybackRequest.viewer("") }?.message == "--by (who views) is required")
    }

    // MARK: visitors

    @Test("an outsider enters only with an approver (site rule 9), one of the listed ones when the site lists any")
    func visitorWithoutApprover() throws {
        let none = refusal { _ = try Visitor.entering(name: "刘工", org: "维保公司", purpose: "检修", approvedBy: " ", approvers: [], registeredBy: "张三", at: testNow) }
        #expect(none?.code == .invalid && none?.message.contains("only with approval (site rule 9): --approved-by is required") == true)
        let unlisted = refusal { _ = try Visitor.entering(name: "刘工", org: "维保公司", purpose: "检修", approvedBy: "李四", approvers: ["赵主任"], registeredBy: "张三", at: testNow) }
        #expect(unlisted?.message == "李四 may not approve a visit; approvers: 赵主任")
        let noOrg = refusal { _ = try Visitor.entering(name: "刘工", org: nil, purpose: "检修", approvedBy: "赵主任", approvers: [], registeredBy: "张三", at: testNow) }
        #expect(noOrg?.message == "--org is required")

        // With no list, any named approver will do; the entry records who, why, who approved, who registered, and when.
        let v = try Visitor.entering(name: "刘工", org: "维保公司", purpose: "检修", approvedBy: "李四", approvers: [], registeredBy: "张三", at: testNow)
        #expect(v.approvedBy == "李四" && v.registeredBy == "张三" && v.inAt == testNow && v.inside)
    }

    @Test("a visitor signs out once; an unknown or already gone visitor is refused")
    func visitorOut() throws {
        var v = Visitor(id: 3, name: "刘工", org: "维保公司", purpose: "检修", approvedBy: "赵主任", registeredBy: nil, inAt: testNow)
        #expect(refusal { _ = try Visitor.signedOut(9, nil) }?.message == "no visitor 9 (see watchroomctl visitor list)")
        v.outAt = testNow
        #expect(try Visitor.signedOut(3, (v, wasInside: true)) == v)
        let gone = refusal { _ = try Visitor.signedOut(3, (v, wasInside: false)) }
        #expect(gone?.code == .illegalTransition && gone?.message == "visitor 3 刘工 already left")
    }

    // MARK: media

    @Test("a medium is reused too early: the operator's refusal says until when its footage must be kept")
    func mediumReusedTooEarly() throws {
        let r = recorder(media: 16)
        // Medium 3 was replaced 13 days ago: its footage is younger than the 14-day rule.
        let loads = [MediaLoad(id: 1, recorder: "NVR-1", medium: 3, loadedAt: testNow.addingTimeInterval(-14 * day), user: "张三"),
                     MediaLoad(id: 2, recorder: "NVR-1", medium: 4, loadedAt: testNow.addingTimeInterval(-13 * day), user: "张三")]
        let load = try MediaRotation.load(r, medium: 3, user: "李四", at: testNow)
        #expect(load.medium == 3 && load.user == "李四" && load.loadedAt == testNow)
        let early = refusal { try MediaRotation.mayLoad(r, load, loads: loads, holds: [], timezone: utc) }
        #expect(early?.code == .illegalTransition, "\(String(describing: early))")
        #expect(early?.message.contains("keep it until \(SiteTime.format(testNow.addingTimeInterval(day), utc))") == true, "\(String(describing: early))")
        // A day and a minute later (the injected clock) it may be reused.
        let later = try MediaRotation.load(r, medium: 3, user: "李四", at: testNow.addingTimeInterval(day + 60))
        #expect(throws: Never.self) { try MediaRotation.mayLoad(r, later, loads: loads, holds: [], timezone: utc) }

        #expect(refusal { _ = try MediaRotation.load(r, medium: nil, user: "李四", at: testNow) }?.message == "the medium number is required")
        #expect(refusal { _ = try MediaRotation.load(r, medium: 1, user: nil, at: testNow) }?.message == "--user is required")
    }

    // MARK: repairs, recorders, times

    @Test("a repair closes once, with a note and who closed it")
    func repairClosing() throws {
        #expect(refusal { _ = try Repair.closing(note: "", user: "张三") }?.message == "--note (what was repaired) is required")
        #expect(refusal { _ = try Repair.closing(note: "换了电池", user: nil) }?.message == "--user is required")
        let closed = Repair(id: 4, subject: "equipment ups-on-battery", text: "x", alarmId: nil, requestedAt: testNow, closedAt: testNow, closedBy: "张三", note: "换了电池")
        #expect(try Repair.closed(4, (closed, wasOpen: true)) == closed)
        let again = refusal { _ = try Repair.closed(4, (closed, wasOpen: false)) }
        #expect(again?.code == .illegalTransition && again?.message == "repair 4 was already closed by 张三")
        #expect(refusal { _ = try Repair.closed(5, nil) }?.code == .notFound)
    }

    @Test("an unknown recorder is refused with the list; a time that is not one names the forms that are")
    func recordersAndTimes() throws {
        let site = try loadSite(holdSiteYAML)
        let unknown = refusal { _ = try DutyInput.recorder("NVR-9", in: site) }
        #expect(unknown?.code == .notFound && unknown?.message == "no recorder 'NVR-9' in the site config (recorders: NVR-1, NVR-2)")
        #expect(try DutyInput.time("24h", "--since", timezone: utc, now: testNow) == testNow.addingTimeInterval(-day))
        let bad = refusal { _ = try DutyInput.time("yesterday", "--from", timezone: utc, now: testNow) }
        #expect(bad?.message.hasPrefix("--from 'yesterday' is not a time") == true)
        #expect(refusal { _ = try DutyInput.time(nil, "--to", timezone: utc, now: testNow) }?.message.hasPrefix("--to is required") == true)
    }

    // MARK: equipment log

    @Test("the equipment log names each line's subject and merges repairs requested and closed in the window, oldest first")
    func equipmentLog() throws {
        let check = AlarmEvent(kind: .equipmentCheck, time: testNow.addingTimeInterval(-600), user: "王五", text: "fail: device di-1 is comm-lost")
        let test = AlarmEvent(kind: .selfTestResult, time: testNow.addingTimeInterval(-300), zone: "Z01", text: "pass")
        let repair = Repair(id: 2, subject: "device di-1", text: "通讯中断", alarmId: nil, requestedAt: testNow.addingTimeInterval(-500),
                            closedAt: testNow.addingTimeInterval(-100), closedBy: "张三", note: "换了网线")
        let old = Repair(id: 1, subject: "zone Z02", text: "x", alarmId: nil, requestedAt: testNow.addingTimeInterval(-2 * day))
        let lines = EquipmentLog.lines(events: [test, check], repairs: [repair, old], since: testNow.addingTimeInterval(-day))
        #expect(lines.map(\.subject) == ["equipment check", "device di-1", "zone Z01", "device di-1"])
        #expect(lines.map(\.text) == ["equipment-check: fail: device di-1 is comm-lost", "repair #2 requested: 通讯中断",
                                      "self-test-result: pass", "repair #2 closed: 换了网线"])
        #expect(lines.last?.user == "张三")
    }

    // MARK: handover

    @Test("the handover window runs from the last handover, else from the shift on duty a little before now, at most a week back")
    func handoverWindow() {
        let last = testNow.addingTimeInterval(-9 * 3600)
        #expect(HandoverWindow(lastHandoverEnd: last, now: testNow, shiftStart: { _ in nil }).start == last)
        // A first handover 2 minutes into the day shift hands over the night, which began 12 h before.
        let night = testNow.addingTimeInterval(-12 * 3600 - 120)
        let asked = HandoverWindow(lastHandoverEnd: nil, now: testNow) { at in
            #expect(at == testNow.addingTimeInterval(-15 * 60))
            return night
        }
        #expect(asked.start == night && asked.end == testNow && asked.shiftInstant == night.addingTimeInterval(60))
        #expect(HandoverWindow(lastHandoverEnd: nil, now: testNow, shiftStart: { _ in nil }).start == testNow.addingTimeInterval(-12 * 3600))
        #expect(HandoverWindow(lastHandoverEnd: testNow.addingTimeInterval(-30 * day), now: testNow, shiftStart: { _ in nil }).start
            == testNow.addingTimeInterval(-7 * day))
        #expect(HandoverWindow(lastHandoverEnd: testNow.addingTimeInterval(60), now: testNow, shiftStart: { _ in nil }).start == testNow)
    }

    @Test("the handover flags a visitor still inside, lists only failed check items, and gives each recorder's line")
    func handoverRecord() throws {
        let site = try loadSite(holdSiteYAML)
        let window = HandoverWindow(lastHandoverEnd: testNow.addingTimeInterval(-8 * 3600), now: testNow, shiftStart: { _ in nil })
        let inside = Visitor(id: 1, name: "刘工", org: "维保公司", purpose: "检修", approvedBy: "赵主任", registeredBy: nil, inAt: testNow.addingTimeInterval(-3600))
        let gone = Visitor(id: 2, name: "陈记者", org: "报社", purpose: "采访", approvedBy: "赵主任", registeredBy: nil,
                           inAt: testNow.addingTimeInterval(-7200), outAt: testNow.addingTimeInterval(-3600))
        let checks = [AlarmEvent(kind: .equipmentCheck, time: testNow, user: "王五", text: "pass: device di-1 answers"),
                      AlarmEvent(kind: .equipmentCheck, time: testNow, user: "王五", text: "fail: clock is 60 s behind"),
                      AlarmEvent(kind: .selfTestResult, time: testNow, zone: "Z01", text: "pass")]
        let inputs = HandoverComposer.Inputs(from: "张三", to: "李四", note: "交接正常", shift: "night", window: window, openAlarms: [],
                                             zoneControl: [:], retention: [:], alarmsRaised: [], checks: checks, openRepairs: [],
                                             holds: [], visitors: [inside, gone], playback: [], sensorSamples: [:],
                                             media: [MediaRotation.report(recorder(media: 16), loads: [], holds: [], now: testNow)])
        let h = HandoverComposer(config: site).record(inputs)
        #expect(h.from == "张三" && h.to == "李四" && h.shift == "night" && h.windowStart == window.start && h.windowEnd == testNow)
        #expect(h.timezone == "Asia/Shanghai" && h.site == "测试")
        #expect(h.mustHandOver == ["VISITOR STILL INSIDE #1 刘工 (维保公司), approved by 赵主任"])
        #expect(h.equipmentChecks.count == 1 && h.equipmentChecks[0].hasSuffix("fail: clock is 60 s behind (王五)"), "\(h.equipmentChecks)")
        #expect(h.selfTests.count == 1 && h.selfTests[0].hasSuffix("Z01 pass"), "\(h.selfTests)")
        #expect(h.recorders.count == 2, "\(h.recorders)")
        #expect(h.recorders.first?.hasPrefix("NVR-1 ") == true && h.recorders.first?.hasSuffix(": rule 14 days; media: no medium loaded yet") == true, "\(h.recorders)")
        #expect(h.recorders.last?.hasSuffix(": rule 30 days") == true, "a recorder without storage or media is not checked: \(h.recorders)")
    }

    @Test("the handover says which visitors inside wait for their named approver's own confirmation, and whose: in the record, its JSON and its text")
    func handoverVisitorsAwaitingApproval() throws {
        let site = try loadSite(holdSiteYAML)
        let window = HandoverWindow(lastHandoverEnd: testNow.addingTimeInterval(-8 * 3600), now: testNow, shiftStart: { _ in nil })
        var waiting = Visitor(id: 3, name: "王工", org: "消防公司", purpose: "年检", approvedBy: "赵主任", registeredBy: "张三", inAt: testNow.addingTimeInterval(-1800))
        waiting.awaitingApprovalBy = "zhao"
        let approved = Visitor(id: 4, name: "刘工", org: "维保公司", purpose: "检修", approvedBy: "赵主任", registeredBy: nil, inAt: testNow.addingTimeInterval(-600))
        var left = Visitor(id: 5, name: "陈记者", org: "报社", purpose: "采访", approvedBy: "赵主任", registeredBy: nil,
                           inAt: testNow.addingTimeInterval(-7200), outAt: testNow.addingTimeInterval(-3600))
        left.awaitingApprovalBy = "zhao"
        let inputs = HandoverComposer.Inputs(from: "张三", to: "李四", note: nil, shift: nil, window: window, openAlarms: [],
                                             zoneControl: [:], retention: [:], alarmsRaised: [], checks: [], openRepairs: [],
                                             holds: [], visitors: [waiting, approved, left], playback: [], sensorSamples: [:], media: [])
        let h = HandoverComposer(config: site).record(inputs)
        let wait = try #require(h.visitorsAwaitingApproval)
        #expect(wait.map(\.visitor) == [3], "only the one inside waits: \(wait)")
        #expect(wait.first?.approver == "赵主任" && wait.first?.approverLogin == "zhao" && wait.first?.registeredBy == "张三")
        #expect(h.mustHandOver == ["VISITOR STILL INSIDE #3 王工 (消防公司), AWAITING APPROVAL by 赵主任 (zhao): watchroomctl visitor approve 3, run by them",
                                   "VISITOR STILL INSIDE #4 刘工 (维保公司), approved by 赵主任"])
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = String(decoding: try encoder.encode(h), as: UTF8.self)
        #expect(json.contains("\"visitors_awaiting_approval\":[{") && json.contains("\"approver_login\":\"zhao\""), "\(json)")
        let text = HandoverText.render(h, markdown: false, timezone: .gmt)
        #expect(text.contains("Visitors awaiting approval (1)\n  visitor 3 王工 (消防公司), inside since "), "\(text)")
        #expect(text.contains("waits for 赵主任 (zhao): `watchroomctl visitor approve 3`, run by them"), "\(text)")
        #expect(text.contains("#3 王工 (消防公司), 年检; AWAITING APPROVAL by 赵主任;"), "\(text)")
        // A record journaled before the list was kept still reads.
        let old = try JSONDecoder().decode(HandoverRecord.self, from: try JSONEncoder().encode(HandoverRecord(
            site: "测试", from: "a", to: "b", note: nil, shift: nil, windowStart: testNow, windowEnd: testNow)))
        #expect(old.visitorsAwaitingApproval == nil)
    }

    @Test("the handover flags an unacknowledged alarm (shelved or not), lists shelving and zones out of service, and puts a recorder's open alarms on its line")
    func handoverAlarms() throws {
        let site = try loadSite(holdSiteYAML)
        var engine = AlarmEngine(config: site, now: testNow.addingTimeInterval(-3600))
        let raised = engine.system("recorder-NVR-1", .retentionShortfall, name: "NVR-1 录像保存不足 retention shortfall", active: true,
                                   detail: "only 3 days", at: testNow.addingTimeInterval(-1800))
        let alarm = try #require(raised.events.first?.alarm)
        _ = try engine.command(.shelve(alarm: alarm.id, user: "张三", reason: "等待扩容", duration: .seconds(1800)), at: testNow.addingTimeInterval(-600))
        _ = try engine.command(.outOfService(zone: "Z02", user: "张三", reason: "围墙施工"), at: testNow.addingTimeInterval(-300))
        let open = engine.alarms.values.sorted { $0.id < $1.id }
        let window = HandoverWindow(lastHandoverEnd: testNow.addingTimeInterval(-8 * 3600), now: testNow, shiftStart: { _ in nil })
        let inputs = HandoverComposer.Inputs(from: "张三", to: "李四", note: nil, shift: nil, window: window, openAlarms: open,
                                             zoneControl: engine.zoneControl, retention: [:], alarmsRaised: open, checks: [], openRepairs: [],
                                             holds: [], visitors: [], playback: [], sensorSamples: [:], media: [])
        let h = HandoverComposer(config: site).record(inputs)
        #expect(h.openAlarms.map(\.id) == [alarm.id] && h.openAlarms.first?.shelved == true)
        #expect(h.mustHandOver.count == 1 && h.mustHandOver[0].hasPrefix("UNACKNOWLEDGED alarm #\(alarm.id) NVR-1 录像保存不足") && h.mustHandOver[0].hasSuffix(", shelved"),
                "\(h.mustHandOver)")
        #expect(h.shelved.count == 1 && h.shelved[0].contains("shelved by 张三 until") && h.shelved[0].hasSuffix(": 等待扩容"), "\(h.shelved)")
        #expect(h.outOfService.count == 1 && h.outOfService[0].hasPrefix("Z02 北围墙西段: out of service since") && h.outOfService[0].hasSuffix("by 张三, 围墙施工"),
                "\(h.outOfService)")
        #expect(h.recorders.first?.hasSuffix("; alarms: NVR-1 录像保存不足 retention shortfall") == true, "\(h.recorders)")
        #expect(h.recorders.last?.contains("alarms:") == false, "another recorder's alarm is not on its line: \(h.recorders)")
    }
}
