import Foundation
import Testing

/// `metrics: {listen: ...}` on a running daemon, read by parsers that are not ours.
@Suite("Prometheus metrics of a running daemon", .serialized, .timeLimit(.minutes(2)))
struct MetricsProcessTests {
    static func site(port: Int, metrics: Int, dead: Int, stateDir: String) -> String {
        """
        site: {name: 指标园区, timezone: Asia/Shanghai}
        state_dir: \(stateDir)
        control: {socket: \(stateDir)/control.sock}
        profiles: [\(Paths.devices)]
        metrics: {listen: "127.0.0.1:\(metrics)"}
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: \(port)}, poll_interval_ms: 200, timeout_ms: 60, comm_loss_after: 3, reconnect_max_ms: 800}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
          - {id: di-2, bus: lan, unit: 2, profile: generic-di-16}
          - {id: th, bus: lan, unit: 3, profile: xy-md02}
        zones:
          - {id: Z01, name: 北围墙东段, type: perimeter, input: "di-1.di[0]"}
          - {id: Z02, name: 南门, type: 24h, input: "di-2.di[0]"}
        sensors:
          - {id: room-temp, name: 监控室温度, input: th.temperature, low: 5, high: 40}
        shifts:
          - {name: all-day, start: "00:00", end: "24:00", leader: {name: 张伟, mobile: "13800000001"}}
        notify:
          - {id: nobody-listens, format: alertmanager, url: "http://127.0.0.1:\(dead)/alerts", retry_max_s: 1}
        """
    }

    @Test("a scrape passes promtool's lint and prometheus_client's parser; device_up follows a device that stops answering and comes back")
    func scrapeAndDeviceUp() async throws {
        let dir = try Paths.tempDir("metrics")
        let port = try freePort(), metricsPort = try freePort(), dead = try freePort()
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.site(port: port, metrics: metricsPort, dead: dead, stateDir: dir.path).write(toFile: config, atomically: true, encoding: .utf8)
        let control = dir.appendingPathComponent("sim.sock").path
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", config, "--control", control])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("metrics on http://127.0.0.1:\(metricsPort)/metrics") } != nil)
        #expect(try await waitForPolls("di-2", socket: control), "the daemon never polled di-2")

        // An alarm that must be notified to a target nobody listens on: pending, failures.
        _ = try await simulatorCommand("zone Z02 alarm", socket: control)
        #expect(await daemon.waitForLine { $0.contains("zone Z02") && $0.contains("normal -> alarm") } != nil)

        func scrape() async throws -> (MetricsScraper.Page, MetricsScraper.Parsed) {
            let page = try await MetricsScraper.get(port: metricsPort, path: "/metrics")
            return (page, try await MetricsScraper.parse(page.body, in: dir))
        }
        func up(_ device: String) async throws -> Double? { try await scrape().1.value("watchroom_device_up", ["device": device]) }

        #expect(try await eventually { try await up("di-2") == 1 }, "di-2 never up")
        #expect(try await eventually { try await up("th") == 1 }, "th never up")
        #expect(try await eventually {
            try await scrape().1.value("watchroom_notification_failures_total", ["target": "nobody-listens"]).map { $0 >= 1 } ?? false
        })
        let (page, parsed) = try await scrape()
        #expect(page.status == 200)
        #expect(page.contentType.hasPrefix("text/plain; version=0.0.4"))
        let lint = try await MetricsScraper.lint(page.body, in: dir)
        #expect(lint.status == 0 && lint.said.isEmpty, "promtool check metrics: \(lint.said)")

        #expect(parsed.types["watchroom_modbus_request_duration_seconds"] == "histogram")
        #expect(parsed.types["watchroom_modbus_requests"] == "counter")  // prometheus_client names a counter without _total
        #expect(parsed.value("watchroom_device_up", ["device": "di-1", "bus": "lan"]) == 1)
        #expect((parsed.value("watchroom_modbus_requests_total", ["device": "di-1", "result": "ok"]) ?? 0) >= 1)
        #expect((parsed.value("watchroom_modbus_request_duration_seconds_count", ["device": "di-1"]) ?? 0) >= 1)
        #expect((parsed.value("watchroom_bus_cycle_duration_seconds_count", ["bus": "lan"]) ?? 0) >= 1)
        // The zone's alarm, and soon the daemon's own alarm for the target that keeps failing: the
        // gauge must agree with the open alarms the control socket lists (asked until both settle).
        func unackedHighListed() async throws -> Int {
            let r = try await watchroomctl(["--socket", "\(dir.path)/control.sock", "--json", "alarms"])
            let list = try JSONSerialization.jsonObject(with: Data(r.1.utf8)) as? [[String: Any]] ?? []
            return list.filter { $0["state"] as? String == "unacknowledged" && $0["priority"] as? String == "high" }.count
        }
        #expect(try await eventually {
            let listed = try await unackedHighListed()
            let gauge = try await scrape().1.value("watchroom_alarms", ["state": "unacknowledged", "priority": "high"])
            return listed >= 1 && gauge == Double(listed)
        }, "watchroom_alarms{unacknowledged,high} never matched the open alarms")
        #expect((parsed.value("watchroom_alarms_raised_total", ["priority": "high"]) ?? 0) >= 1)
        #expect(parsed.value("watchroom_journal_stalled") == 0)
        #expect((parsed.value("watchroom_journal_commit_duration_seconds_count") ?? 0) >= 1)
        #expect((parsed.value("watchroom_notification_pending", ["target": "nobody-listens"]) ?? 0) >= 1)
        // The simulator starts a sensor in the middle of its band: (5 + 40) / 2.
        #expect(parsed.value("watchroom_sensor_value", ["sensor": "room-temp", "unit": "°C"]) == 22.5)
        #expect(parsed.value("watchroom_self_test_last_complete_timestamp_seconds") == 0)

        let health = try await MetricsScraper.get(port: metricsPort, path: "/healthz")
        #expect(health.status == 200 && health.body.hasPrefix("ok"))

        // A device that stops answering goes to 0 (after comm_loss_after polls); its neighbour stays 1.
        _ = try await simulatorCommand("silence di-2", socket: control)
        #expect(try await eventually { try await up("di-2") == 0 })
        let after = try await scrape().1
        #expect(after.value("watchroom_device_up", ["device": "di-1"]) == 1)
        #expect((after.value("watchroom_modbus_requests_total", ["device": "di-2", "result": "timeout"]) ?? 0) >= 3)
        _ = try await simulatorCommand("answer di-2", socket: control)
        #expect(try await eventually { try await up("di-2") == 1 })

        // The endpoint (and its event feed) stop with the rest on SIGTERM.
        await daemon.stopAndWait(signal: SIGTERM, grace: .seconds(10))
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0,
                "SIGTERM did not stop a daemon serving metrics: \(daemon.output.suffix(3))")
    }
}
