import Alarms
import Foundation
import SiteConfig
import Testing

/// Site rule 11: a response within 5 minutes, else the leader is called again and the supervisor too.
@Suite("Escalation: unacknowledged alarms call again, acknowledge stops it")
struct EscalationTests {
    static let yaml = siteYAML.replacingOccurrences(of: "escalation: {ack_timeout_s: 86400, repeat_s: 86400}",
                                                    with: "escalation: {ack_timeout_s: 300, repeat_s: 120}")
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func raise(_ engine: inout AlarmEngine, _ config: SiteConfig, zone: String, at t: Date) -> Int {
        let z = config.zones.first { $0.id == zone }!
        let out = engine.apply([.zone(z, from: .normal, to: .alarm, value: "1")], at: t)
        return out.events.first { $0.kind == .raised }!.alarm!.id
    }

    @Test("no escalation before the ack timeout; at 300 s the first, then every 120 s, until acknowledged")
    func escalatesUntilAck() throws {
        let config = try loadSite(Self.yaml)
        #expect(config.ackTimeoutSeconds == 300)
        var engine = AlarmEngine(config: config, now: t0)
        let id = raise(&engine, config, zone: "F01", at: t0)
        #expect(engine.tick(at: t0.addingTimeInterval(299)).events.isEmpty)
        let first = engine.tick(at: t0.addingTimeInterval(300)).events
        #expect(first.map(\.kind) == [.escalated])
        #expect(first.first?.alarm?.escalations == 1)
        #expect(engine.tick(at: t0.addingTimeInterval(419)).events.isEmpty)
        #expect(engine.tick(at: t0.addingTimeInterval(420)).events.map(\.kind) == [.escalated])
        _ = try engine.command(.acknowledge(alarm: id, user: "张三"), at: t0.addingTimeInterval(430))
        #expect(engine.tick(at: t0.addingTimeInterval(3600)).events.isEmpty, "acknowledge stops escalation at once")
    }

    @Test("a shelved alarm does not escalate; low and medium priorities never do")
    func shelvedAndLow() throws {
        let config = try loadSite(Self.yaml)
        var engine = AlarmEngine(config: config, now: t0)
        let id = raise(&engine, config, zone: "H01", at: t0)  // 24-hour: alarms whatever the schedule
        _ = try engine.command(.shelve(alarm: id, user: "张三", reason: "树枝", duration: .seconds(3000)), at: t0)
        #expect(engine.tick(at: t0.addingTimeInterval(600)).events.isEmpty)
        // Zone fault is medium priority: reported, never escalated.
        let s1 = config.zones.first { $0.id == "S01" }!
        _ = engine.apply([.zone(s1, from: .normal, to: .fault, value: "fault")], at: t0)
        #expect(engine.tick(at: t0.addingTimeInterval(900)).events.filter { $0.kind == .escalated }.isEmpty)
    }

    @Test("a re-activated alarm starts its response time again")
    func reactivationResets() throws {
        let config = try loadSite(Self.yaml)
        var engine = AlarmEngine(config: config, now: t0)
        let id = raise(&engine, config, zone: "H01", at: t0)
        #expect(engine.tick(at: t0.addingTimeInterval(300)).events.map(\.kind) == [.escalated])
        let h = config.zones.first { $0.id == "H01" }!
        _ = try engine.command(.acknowledge(alarm: id, user: "张三"), at: t0.addingTimeInterval(310))
        _ = engine.apply([.zone(h, from: .alarm, to: .normal, value: "0")], at: t0.addingTimeInterval(320))
        _ = engine.apply([.zone(h, from: .normal, to: .alarm, value: "1")], at: t0.addingTimeInterval(330))
        #expect(engine.alarms[id]?.escalations == 0)
        #expect(engine.tick(at: t0.addingTimeInterval(600)).events.isEmpty)
        #expect(engine.tick(at: t0.addingTimeInterval(630)).events.map(\.kind) == [.escalated])
    }
}

/// Site rule 3: if no complete zone self-test is recorded for 26 hours, that is an alarm itself.
@Suite("Self-test missed")
struct SelfTestMissedTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("26 hours without a complete self-test raises 'self-test missed'; a complete run returns it")
    func missed() throws {
        let config = try loadSite(EscalationTests.yaml)
        var engine = AlarmEngine(config: config, now: t0, lastCompleteSelfTest: t0)
        let early = engine.tick(at: t0.addingTimeInterval(26 * 3600 - 1)).events
        #expect(!early.contains { $0.alarm?.condition == .selfTestMissed })
        let raised = engine.tick(at: t0.addingTimeInterval(26 * 3600)).events.filter { $0.alarm?.condition == .selfTestMissed }
        #expect(raised.map(\.kind) == [.raised])
        // A partial run (one zone) does not count; a complete run does.
        let all = config.zones.filter { $0.type.needsArming }
        let t1 = t0.addingTimeInterval(27 * 3600)
        for z in all { _ = engine.apply([.zone(z, from: .unknown, to: .normal, value: "0")], at: t1) }
        _ = try engine.startSelfTest(zones: [all[0].id], user: "维修员", at: t1)
        #expect(engine.selfTest?.complete == false)
        _ = engine.tick(at: t1.addingTimeInterval(3600))  // the walk window closes: the run ends, partial
        #expect(engine.alarms.values.contains { $0.condition == .selfTestMissed && $0.active })
        let t2 = t1.addingTimeInterval(2 * 3600)
        _ = try engine.startSelfTest(zones: [], user: "维修员", at: t2)
        #expect(engine.selfTest?.complete == true)
        let end = engine.tick(at: t2.addingTimeInterval(3600))
        #expect(end.events.contains { $0.kind == .selfTestFinished && $0.text?.contains("(complete)") == true })
        #expect(end.events.contains { $0.kind == .returned && $0.alarm?.condition == .selfTestMissed })
    }
}
