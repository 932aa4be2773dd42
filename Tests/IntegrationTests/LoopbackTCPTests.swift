import CDispatch
import Foundation
import Testing

/// `watchroomd run` against `watchroomd simulate`, two real processes on loopback.
@Suite("daemon against the simulator over Modbus TCP", .serialized, .timeLimit(.minutes(1)))
struct LoopbackTCPTests {
    static func site(port: Int, stateDir: String) -> String {
        """
        site: {name: 测试园区, timezone: Asia/Shanghai}
        state_dir: \(stateDir)
        control: {socket: \(stateDir)/control.sock}
        profiles: [\(Paths.devices)]
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: \(port)}, poll_interval_ms: 200, timeout_ms: 60, comm_loss_after: 3, reconnect_max_ms: 800}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
          - {id: di-2, bus: lan, unit: 2, profile: generic-di-16}
        zones:
          - {id: Z01, name: 北围墙东段, type: perimeter, input: "di-1.di[0]"}
          - {id: Z02, name: 南门, type: perimeter, input: "di-2.di[0]"}
        """
    }

    @Test("a zone trip is logged with its Chinese name; a silenced device goes comm-lost after N polls while its neighbour keeps its rate, then recovers")
    func tripSilenceRecover() async throws {
        let dir = try Paths.tempDir("tcp")
        let port = try freePort()
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.site(port: port, stateDir: dir.path).write(toFile: config, atomically: true, encoding: .utf8)
        let control = dir.appendingPathComponent("sim.sock").path

        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", config, "--control", control])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("watching 测试园区") } != nil)
        #expect(try await waitForPolls("di-1", socket: control), "the daemon never polled di-1")

        _ = try await simulatorCommand("zone Z01 alarm", socket: control)
        let trip = await daemon.waitForLine { $0.contains("zone Z01") && $0.contains("normal -> alarm") }
        #expect(trip?.contains("北围墙东段") == true, "line: \(trip ?? "none")")

        // Silence di-2 and watch di-1's request rate while di-2 fails and backs off.
        _ = try await simulatorCommand("silence di-2", socket: control)
        let before = try await requestsReceived("di-1", socket: control)
        let lost = await daemon.waitForLine { $0.contains("device di-2") && $0.contains("comm lost") }
        #expect(lost != nil)
        try await Task.sleep(for: .seconds(2))
        let after = try await requestsReceived("di-1", socket: control)
        // Nominal: 5 polls/s at 200 ms. The silent neighbour costs at most one 60 ms timeout per cycle.
        let elapsed = 2.0 + 0.6  // the sleep, plus at least the three failing polls before "comm lost"
        #expect(Double(after - before) >= 0.6 * 5 * 2.0, "di-1 got \(after - before) requests in ~\(elapsed)s")
        // The silent device is retried with backoff, not hammered every cycle.
        // Counted over the window as it really lasted (a loaded machine may wake this test late): backed
        // off to reconnect_max_ms, di-2 is asked at most once per 800 ms, plus one at each edge of the
        // window (4 in 1.6 s); hammered every 200 ms cycle it would be asked 4 times as often.
        let silentBefore = try await requestsReceived("di-2", socket: control)
        let windowStart = ContinuousClock.now
        try await Task.sleep(for: .seconds(1.6))
        let silentAfter = try await requestsReceived("di-2", socket: control)
        let window = ContinuousClock.now - windowStart
        let allowed = Int(window / .milliseconds(800)) + 2
        #expect(silentAfter - silentBefore <= allowed, "di-2 retried \(silentAfter - silentBefore) times in \(window)")
        // No false zone alarm from the silent device: its comm loss is the one alarm.
        #expect(daemon.count { $0.contains("zone Z02") } == 0)

        // A trip on the healthy device is still seen promptly while its neighbour is dead.
        _ = try await simulatorCommand("zone Z01 normal", socket: control)
        #expect(await daemon.waitForLine(timeout: .seconds(5)) { $0.contains("zone Z01") && $0.contains("alarm -> normal") } != nil)

        _ = try await simulatorCommand("answer di-2", socket: control)
        #expect(await daemon.waitForLine(timeout: .seconds(5)) { $0.contains("device di-2") && $0.contains("comm restored") } != nil)
    }

    @Test("an exception response makes the device comm-lost with the exception named")
    func exception() async throws {
        let dir = try Paths.tempDir("exc")
        let port = try freePort()
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.site(port: port, stateDir: dir.path).write(toFile: config, atomically: true, encoding: .utf8)
        let control = dir.appendingPathComponent("sim.sock").path
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", config, "--control", control])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        _ = try await simulatorCommand("exception di-1 6", socket: control)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stopInBackground() }
        let line = await daemon.waitForLine { $0.contains("device di-1") && $0.contains("comm lost") }
        #expect(line?.contains("exception 6 (server device busy)") == true, "line: \(line ?? "none")")
    }

    @Test("under systemd each line carries its syslog priority prefix")
    func journald() async throws {
        let dir = try Paths.tempDir("journal")
        let port = try freePort()
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.site(port: port, stateDir: dir.path).write(toFile: config, atomically: true, encoding: .utf8)
        let control = dir.appendingPathComponent("sim.sock").path
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", config, "--control", control])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        _ = try await simulatorCommand("zone Z02 alarm", socket: control)

        // JOURNAL_STREAM names the device and inode of the stream stderr is connected to.
        let pipe = Pipe()
        var st = stat()
        fstat(pipe.fileHandleForWriting.fileDescriptor, &st)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config],
                                      environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"], stderrPipe: pipe)
        defer { daemon.stopInBackground() }
        let line = await daemon.waitForLine { $0.contains("zone Z02") }
        // A high-priority perimeter alarm is syslog "err" (3), and no terminal timestamp is added.
        #expect(line?.hasPrefix("<3>zone Z02 南门") == true, "line: \(line ?? "none")")
        #expect(await daemon.waitForLine { $0.hasPrefix("<5>watching") } != nil)
    }

    @Test("an unreachable bus is reported once as link down and its devices go comm-lost")
    func unreachable() async throws {
        let dir = try Paths.tempDir("down")
        let port = try freePort()
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.site(port: port, stateDir: dir.path).write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("device di-1") && $0.contains("comm lost") } != nil)
        #expect(await daemon.waitForLine { $0.contains("device di-2") && $0.contains("comm lost") } != nil)
        try await Task.sleep(for: .seconds(1))
        #expect(daemon.count { $0.contains("link down") } == 1)
        #expect(daemon.output.first { $0.contains("link down") }?.contains("127.0.0.1:\(port)") == true)
    }
}
