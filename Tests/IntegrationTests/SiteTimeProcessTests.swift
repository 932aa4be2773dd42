import Foundation
import Testing

/// One event, one time: a host clock in UTC and a site in Asia/Shanghai (the cloud default, the
/// usual site), and the log, the console, the handover and the leader's message all read site time.
@Suite("site time end to end", .serialized, .timeLimit(.minutes(2)))
struct SiteTimeProcessTests {
    static let hostUTC = ["TZ": "UTC"]

    /// What a DateFormatter in the site's zone prints, to compare with (independent of the daemon's clock code).
    static func siteText(_ d: Date, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = pattern
        return f.string(from: d)
    }

    func ctl(_ s: BigSite, _ args: [String]) async throws -> (Int32, String, String) {
        let r = try await runToExit(Paths.watchroomctl, ["--config", s.config] + args, environment: ProcessInfo.processInfo.environment.merging(Self.hostUTC) { $1 })
        return (r.status ?? -1, r.out, r.err)
    }

    @Test("TZ=UTC on the host, Asia/Shanghai at the site: the log, watchroomctl, the handover and the message give the alarm one time")
    func oneTimeEverywhere() async throws {
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let s = try BigSite(name: "sitetime", devices: 1, zonesPerDevice: 2)
        var yaml = try String(contentsOfFile: s.config, encoding: .utf8)
        yaml += """
        shifts:
          - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
          - {name: night, start: "20:00", end: "08:00", leader: {name: 李强, mobile: "13800000002"}}
        notify:
          - {id: leader-bot, format: wecom, url: "http://127.0.0.1:\(receiver.port)/wecom", group_window_s: 0}
        """
        try yaml.write(toFile: s.config, atomically: true, encoding: .utf8)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", s.config, "--control", s.simSocket], environment: Self.hostUTC)
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", s.config], environment: Self.hostUTC)
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        _ = try await simulatorCommand("set d1.di[0] true", socket: s.simSocket)
        let logged = try #require(await daemon.waitForLine { $0.contains("alarm") && $0.contains("Z1-0") && $0.contains("raised") })

        // The instant, from the JSON (RFC 3339 with its offset).
        let json = try await ctl(s, ["--json", "alarms"])
        #expect(json.0 == 0, "\(json)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.1.utf8)) as? [[String: Any]])
        let raisedText = try #require(list.first { ($0["source"] as? [String: Any])?["id"] as? String == "Z1-0" }?["raised_at"] as? String)
        let raised = try Date(raisedText, strategy: .iso8601)
        let id = try #require(list.first { ($0["source"] as? [String: Any])?["id"] as? String == "Z1-0" }?["id"] as? Int)
        let siteSeconds = Self.siteText(raised, "yyyy-MM-dd HH:mm:ss"), siteMinutes = Self.siteText(raised, "yyyy-MM-dd HH:mm")

        // The log line's own stamp is site time: within a second or two of the raise, read in Asia/Shanghai.
        let stamp = String(logged.prefix(23))
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        let loggedAt = try #require(f.date(from: stamp), "log line without a site-time stamp: \(logged)")
        #expect(abs(loggedAt.timeIntervalSince(raised)) < 3, "log \(stamp) vs raised \(siteSeconds) (site): \(logged)")
        // So is the first line of all, the start-up warning (no users:) logged before anything polls.
        let first = try #require(daemon.output.first { $0.contains("no users:") }, "no start-up warning: \(daemon.output.prefix(3))")
        let firstAt = try #require(f.date(from: String(first.prefix(23))), "start-up line without a site-time stamp: \(first)")
        #expect(abs(firstAt.timeIntervalSince(raised)) < 60, "start-up line \(first.prefix(23)) is not in site time (raised \(siteSeconds))")

        // The console: site time, with the offset because this host reads another.
        let table = try await ctl(s, ["alarms", "--wide"])
        #expect(table.0 == 0 && table.1.contains(siteSeconds), "alarms --wide should say \(siteSeconds): \(table.1)")
        // The 80-column table: the site minute ("12-01 23:52"), with the zone said once above it.
        let narrow = try await ctl(s, ["alarms"])
        let siteMinute = String(siteSeconds.dropFirst(5).prefix(11))
        #expect(narrow.0 == 0 && narrow.1.contains(siteMinute), "alarms should say \(siteMinute): \(narrow.1)")
        #expect(narrow.1.contains("site time Asia/Shanghai (+08:00)"), "alarms should name the site's zone: \(narrow.1)")
        let shown = try await ctl(s, ["show", String(id)])
        #expect(shown.1.contains(siteSeconds), "show should say \(siteSeconds): \(shown)")
        let events = try await ctl(s, ["events", "--limit", "20"])
        #expect(events.1.contains(siteSeconds + " +08:00"), "events should say \(siteSeconds) +08:00: \(events)")

        // The handover (text), which names the zone and offset it prints in.
        let handover = try await ctl(s, ["handover", "--from", "张三", "--to", "李四"])
        #expect(handover.0 == 0, "\(handover)")
        #expect(handover.1.contains("#\(id) \(siteMinutes)"), "handover should say #\(id) \(siteMinutes): \(handover.1)")
        #expect(handover.1.contains("(Asia/Shanghai, +08:00)"), "\(handover.1)")

        // The leader's message, as the receiver got it.
        let gotMessage = await eventually { receiver.all.contains { $0.path == "/wecom" && String(decoding: $0.body, as: UTF8.self).contains("Z1-0") } }
        #expect(gotMessage)
        let body = receiver.all.first { $0.path == "/wecom" && String(decoding: $0.body, as: UTF8.self).contains("Z1-0") }
            .map { String(decoding: $0.body, as: UTF8.self) } ?? ""
        #expect(body.contains(Self.siteText(raised, "HH:mm")), "message should say \(Self.siteText(raised, "HH:mm")): \(body)")
        #expect(!body.contains(" " + Self.utcText(raised)), "message in host time: \(body)")
    }

    static func utcText(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }
}
