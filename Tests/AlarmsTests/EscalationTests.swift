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
