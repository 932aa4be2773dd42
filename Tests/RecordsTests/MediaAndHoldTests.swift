import Alarms
import Foundation
import Journal
import Records
import SiteConfig
import Testing

let utc = TimeZone(identifier: "UTC")!

@Suite("Media rotation, retention holds and duty records in the journal")
struct MediaAndHoldTests {
    /// Media 1-16 loaded one a day, medium k loaded (17 - k) days before now: medium 16 is in the recorder.
    func dailyLoads() -> [MediaLoad] {
        (1...16).map { k in MediaLoad(id: Int64(k), recorder: "NVR-1", medium: k, loadedAt: testNow.addingTimeInterval(-Double(17 - k) * day), user: "张三") }
    }

    @Test("a medium is reusable only once its footage is older than the rule; the refusal gives the keep-until date")
    func reuse() throws {
        let r = recorder(media: 16)
        let loads = dailyLoads()
        // Medium 1 held [-16 d, -15 d]: past the 14-day rule.
        #expect(throws: Never.self) { try MediaRotation.checkLoad(r, medium: 1, loads: loads, holds: [], now: testNow, timezone: utc) }
        // Medium 3 held [-14 d, -13 d]: must be kept one more day.
        do {
            try MediaRotation.checkLoad(r, medium: 3, loads: loads, holds: [], now: testNow, timezone: utc)
            Issue.record("medium 3 was accepted with footage younger than the rule")
        } catch {
            let keep = MediaRotationFormat.stamp(testNow.addingTimeInterval(day))
            #expect(error.description.contains("keep it until \(keep)"), "\(error)")
        }
        // The injected clock moves on a day and a minute: medium 3 may be reused.
        #expect(throws: Never.self) {
            try MediaRotation.checkLoad(r, medium: 3, loads: loads, holds: [], now: testNow.addingTimeInterval(day + 60), timezone: utc)
        }
        // Loading what is loaded, or a medium the rotation does not have, is refused.
        #expect(throws: MediaRotation.Refusal.self) { try MediaRotation.checkLoad(r, medium: 16, loads: loads, holds: [], now: testNow, timezone: utc) }
        #expect(throws: MediaRotation.Refusal.self) { try MediaRotation.checkLoad(r, medium: 17, loads: loads, holds: [], now: testNow, timezone: utc) }
    }

    @Test("a hold on footage of a medium keeps it past the rule")
    func holdKeepsMedium() throws {
        let r = recorder(media: 16)
        let loads = dailyLoads()
        let incident = testNow.addingTimeInterval(-15.5 * day)  // on medium 1
        let h = hold(from: incident, to: incident.addingTimeInterval(900), until: testNow.addingTimeInterval(30 * day))
        do {
            try MediaRotation.checkLoad(r, medium: 1, loads: loads, holds: [h], now: testNow, timezone: utc)
            Issue.record("held medium accepted")
        } catch {
            #expect(error.description.contains("held footage") && error.description.contains("alarm #7"), "\(error)")
            #expect(error.description.contains(MediaRotationFormat.stamp(testNow.addingTimeInterval(30 * day))))
        }
        let report = MediaRotation.report(r, loads: loads, holds: [h], now: testNow)
        #expect(report.loaded == 16)
        #expect(report.statuses.count == 16)
        #expect(report.statuses[0].heldBy.count == 1 && !report.statuses[0].reusable)
        #expect(report.statuses[1].reusable)
        #expect(report.compliant, "\(report.summary)")
    }

    @Test("too few media for the rule: the rotation is reported not compliant")
    func rotationTooShort() {
        // Eight media reused every day for a month: the oldest footage on media is 8 days old.
        let r = recorder(media: 8)
        var loads: [MediaLoad] = []
        for d in 0..<30 { loads.append(MediaLoad(id: Int64(d + 1), recorder: "NVR-1", medium: d % 8 + 1, loadedAt: testNow.addingTimeInterval(-Double(30 - d) * day), user: "x")) }
        let report = MediaRotation.report(r, loads: loads, holds: [], now: testNow)
        #expect(!report.compliant)
        #expect(report.summary.contains("NOT compliant"), "\(report.summary)")
    }

    @Test("a zone alarm with cameras holds each camera's recorder window; its reset restarts the hold time")
    func holdPlanner() async throws {
        let config = try loadSite(holdSiteYAML)
        var engine = AlarmEngine(config: config, now: testNow)
        let zone = try #require(config.zones.first { $0.id == "Z01" })
        let raised = engine.apply([.zone(zone, from: .normal, to: .alarm, value: "true")], at: testNow).events
        let changes = HoldPlanner(config: config).plan(raised)
        let holds = changes.compactMap { if case .add(let h) = $0 { h } else { nil } }
        #expect(holds.map(\.camera).sorted() == ["C03", "C03", "C04"], "C03 is on both recorders: \(holds)")
        #expect(Set(holds.map(\.recorder)) == ["NVR-1", "NVR-2"])
        for h in holds {
            #expect(h.from == testNow.addingTimeInterval(-600))   // hold_before_min: 10
            #expect(h.to == testNow.addingTimeInterval(900))
            #expect(h.until == testNow.addingTimeInterval(30 * day))  // hold_days: 30
            #expect(h.reason.contains("Z01"))
        }
        // A zone without cameras holds nothing.
        let z2 = try #require(config.zones.first { $0.id == "Z02" })
        #expect(HoldPlanner(config: config).plan(engine.apply([.zone(z2, from: .normal, to: .alarm, value: "true")], at: testNow).events).isEmpty)

        // Through a real journal: the holds commit with the raise; the reset 40 days later extends them.
        let dir = try tempDir("holds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try Journal(path: dir.appendingPathComponent("j.sqlite").path)
        _ = try await journal.commit(raised, holds: changes)
        #expect(try journal.holds(activeAt: testNow).count == 3)
        let later = testNow.addingTimeInterval(40 * day)
        #expect(try journal.holds(activeAt: later).isEmpty, "expired 30 days after the alarm")
        let id = try #require(raised.first?.alarm?.id)
        var reset = raised[0]
        reset.kind = .reset
        reset.time = testNow.addingTimeInterval(20 * day)
        let extend = HoldPlanner(config: config).plan([reset])
        #expect(extend == [.extend(alarmId: id, until: reset.time.addingTimeInterval(30 * day))])
        _ = try await journal.commit([reset], holds: extend)
        #expect(try journal.holds(activeAt: later).count == 3, "held until the reset plus 30 days")
    }

    @Test("media loads in the journal: the check runs in the write transaction and a refused load is not recorded")
    func journalMediaLoads() async throws {
        let dir = try tempDir("media")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try Journal(path: dir.appendingPathComponent("j.sqlite").path)
        let r = recorder(media: 4)
        var clock = testNow
        for m in [1, 2, 3, 4] {
            let t = clock
            _ = try await journal.loadMedium(MediaLoad(recorder: "NVR-1", medium: m, loadedAt: t, user: "张三")) { loads, holds in
                try MediaRotation.checkLoad(r, medium: m, loads: loads, holds: holds, now: t, timezone: utc)
            }
            clock = clock.addingTimeInterval(day)
        }
        // Medium 1 was unloaded a day after it went in (testNow + 1 d): keep until testNow + 15 d.
        let t = clock
        await #expect(throws: MediaRotation.Refusal.self) {
            _ = try await journal.loadMedium(MediaLoad(recorder: "NVR-1", medium: 1, loadedAt: t, user: "张三")) { loads, holds in
                try MediaRotation.checkLoad(r, medium: 1, loads: loads, holds: holds, now: t, timezone: utc)
            }
        }
        #expect(try journal.mediaLoads(recorder: "NVR-1").count == 4)
        let after = testNow.addingTimeInterval(15 * day + 1)
        _ = try await journal.loadMedium(MediaLoad(recorder: "NVR-1", medium: 1, loadedAt: after, user: "李四")) { loads, holds in
            try MediaRotation.checkLoad(r, medium: 1, loads: loads, holds: holds, now: after, timezone: utc)
        }
        #expect(try journal.mediaLoads(recorder: "NVR-1").map(\.medium) == [1, 2, 3, 4, 1])
    }
}

enum MediaRotationFormat {
    static func stamp(_ d: Date) -> String {
        let f = DateFormatter()
        f.timeZone = utc
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }
}

let devicesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("devices").path

let holdSiteYAML = """
site: {name: 测试, timezone: Asia/Shanghai}
state_dir: /tmp/unused
profiles: [\(devicesFolder)]
buses:
  - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
devices:
  - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
zones:
  - {id: Z01, name: 北围墙东段, type: perimeter, input: "di-1.di[0]", cameras: [C03, C04]}
  - {id: Z02, name: 北围墙西段, type: perimeter, input: "di-1.di[1]"}
recorders:
  - {id: NVR-1, cameras: [C01, C02, C03], retention_days: 14, media: 16}
  - {id: NVR-2, cameras: [C03, C04], retention_days: 30}
recordings: {approvers: [赵主任], hold_before_min: 10, hold_after_min: 15, hold_days: 30}
"""

func loadSite(_ yaml: String) throws -> SiteConfig {
    let dir = try tempDir("site")
    let file = dir.appendingPathComponent("site.yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try SiteConfigLoader().load(file: file.path)
}

