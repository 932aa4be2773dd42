import Foundation
import Journal
import Testing

/// Notifications from a real daemon to a real receiver, through outages and kill -9.
@Suite("notifications end to end", .serialized, .timeLimit(.minutes(3)))
struct NotificationProcessTests {
    func site(_ site: BigSite, receiver: Int, targets: String) throws {
        var yaml = try String(contentsOfFile: site.config, encoding: .utf8)
        yaml += """
        shifts:
          - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
          - {name: night, start: "20:00", end: "08:00", leader: {name: 李强, mobile: "13800000002"}}
        escalation: {ack_timeout_s: 300, supervisor: {name: 王主管, mobile: "13800000009"}}
        notify:
        \(targets)
        """
        try yaml.write(toFile: site.config, atomically: true, encoding: .utf8)
    }

    @Test("the receiver is down (503), the daemon is killed with -9 and restarted, the receiver recovers: every notification arrives, at least once per id")
    func outageAndKill() async throws {
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        receiver.answer(503, on: "/incidents")
        let s = try BigSite(name: "outage", devices: 1, zonesPerDevice: 30)
        try site(s, receiver: receiver.port, targets: """
          - {id: incidents, format: standard, url: "http://127.0.0.1:\(receiver.port)/incidents", secret_env: WATCHROOM_TEST_SECRET, retry_max_s: 1}
        """)
        let env = ["WATCHROOM_TEST_SECRET": "whsec_" + Data("test-secret-key".utf8).base64EncodedString()]
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", s.config, "--control", s.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        var daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", s.config], environment: env)
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        for i in 0..<30 {
            _ = try await simulatorCommand("set d1.di[\(i)] true", socket: s.simSocket)
            if i % 10 == 9 { try await Task.sleep(for: .milliseconds(300)) }
        }
        #expect(await daemon.waitForLine { $0.contains("HTTP 503") } != nil)
        // Killed once all 30 notifications are rows in the outbox (pending, the receiver refusing).
        let journalPath = s.journal
        #expect(await eventually(timeout: .seconds(15)) {
            ((try? await blocking { try Journal(path: journalPath).outbox(limit: 10_000).count }) ?? 0) >= 30
        })
        await daemon.stopAndWait(signal: SIGKILL)

        let journal = try Journal(path: s.journal)
        let rows = try journal.outbox(limit: 10_000)
        #expect(rows.count >= 30, "outbox rows: \(rows.count)")
        #expect(rows.allSatisfy { $0.state == "pending" })

        receiver.answer(200, on: "/incidents")
        daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", s.config], environment: env)
        defer { daemon.stopInBackground() }
        let ok = try await eventually(timeout: .seconds(30)) { try await blocking { try journal.outboxCounts()["pending"] == nil } }
        let counts = try journal.outboxCounts()
        #expect(ok, "still pending: \(counts)")

        let ids = Set(receiver.all.compactMap { $0.headers["webhook-id"] })
        let expected = Set(try journal.outbox(limit: 10_000).map { "wr-\($0.id)" })
        #expect(expected.isSubset(of: ids), "missing: \(expected.subtracting(ids).sorted())")
        let duplicates = receiver.all.count - ids.count
        print("outage test: \(expected.count) notifications, \(receiver.all.count) deliveries, \(duplicates) duplicates by id")
        // Every zone is named, with the leader on duty.
        let bodies = receiver.all.map { String(decoding: $0.body, as: UTF8.self) }
        for i in 0..<30 { #expect(bodies.contains { $0.contains("Z1-\(i)") }, "zone Z1-\(i) never notified") }
        #expect(bodies.allSatisfy { $0.contains("张伟") || $0.contains("李强") })
    }

    @Test("a 400 from one target dead-letters there and raises a delivery-failure alarm that reaches the other target")
    func deadLetter() async throws {
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        receiver.answer(400, on: "/broken")
        let s = try BigSite(name: "dead", devices: 1, zonesPerDevice: 2)
        try site(s, receiver: receiver.port, targets: """
          - {id: broken, format: alertmanager, url: "http://127.0.0.1:\(receiver.port)/broken"}
          - {id: leader-bot, format: wecom, url: "http://127.0.0.1:\(receiver.port)/wecom", group_window_s: 0}
        """)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", s.config, "--control", s.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", s.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        _ = try await simulatorCommand("set d1.di[0] true", socket: s.simSocket)

        #expect(await daemon.waitForLine { $0.contains("dead-lettered") && $0.contains("HTTP 400") } != nil)
        // The failure is an alarm of its own: in the log, and delivered to the other target.
        #expect(await daemon.waitForLine { $0.contains("NOTIFY") && $0.contains("通知失败：通知通道 broken 投递失败") } != nil)
        let reached = await eventually {
            receiver.all.contains { $0.path == "/wecom" && String(decoding: $0.body, as: UTF8.self).contains("broken") }
        }
        #expect(reached, "wecom got: \(receiver.all.map { String(decoding: $0.body, as: UTF8.self) })")
        let r = try await watchroomctl(["--config", s.config, "notifications", "--state", "dead"])
        #expect(r.0 == 0 && r.1.contains("dead") && r.1.contains("HTTP 400"), "\(r)")
        // Fix the target and re-queue: it is delivered, and the failure alarm returns.
        receiver.answer(200, on: "/broken")
        let deadID = r.1.split(separator: " ").first.map(String.init) ?? ""
        let q = try await watchroomctl(["--config", s.config, "notifications", "retry", deadID])
        #expect(q.0 == 0, "\(q)")
        #expect(await eventually { receiver.all.contains { $0.path == "/broken" } })
        #expect(await daemon.waitForLine { $0.contains("notify target broken failing") && $0.contains("returned") } != nil)
    }
}
