import Foundation
import Testing

/// A pty pair from socat stands in for an RS-485 line: the simulator serves one end, the daemon polls the other.
@Suite("daemon against the simulator over Modbus RTU (socat pty pair)", .serialized, .timeLimit(.minutes(1)))
struct RTUPtyTests {
    @Test("over RTU a zone trip is logged; a silenced device goes comm-lost while the other keeps being polled; it recovers")
    func rtu() async throws {
        let dir = try Paths.tempDir("rtu")
        let a = dir.appendingPathComponent("ttyA").path, b = dir.appendingPathComponent("ttyB").path
        let socat = try ChildProcess("/usr/bin/socat", ["-d", "-d", "pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"])
        defer { socat.stop() }
        #expect(await socat.waitForLine { $0.contains("starting data transfer loop") } != nil, "socat: \(socat.output)")

        let config = dir.appendingPathComponent("site.yaml").path
        try """
        site: {name: 串口测试, timezone: Asia/Shanghai}
        state_dir: \(dir.path)
        control: {socket: \(dir.path)/control.sock}
        profiles: [\(Paths.devices)]
        buses:
          - id: rs485-1
            rtu: {device: \(b), baud: 19200, parity: N, data_bits: 8, stop_bits: 1}
            poll_interval_ms: 250
            timeout_ms: 80
            frame_gap_ms: 3
            reconnect_max_ms: 1000
        devices:
          - {id: th-1, bus: rs485-1, unit: 1, profile: xy-md02}
          - {id: di-1, bus: rs485-1, unit: 2, profile: generic-di-16}
        zones:
          - {id: Z01, name: 北围墙东段, type: perimeter, input: "di-1.di[0]"}
        sensors:
          - {id: room-temp, name: 监控室温度, input: th-1.temperature, low: 5, high: 40, deadband: 0.5}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let control = dir.appendingPathComponent("sim.sock").path
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", config, "--serial", "rs485-1=\(a)", "--control", control])
        defer { sim.stop() }
        #expect(await sim.waitForLine { $0.contains("simulating bus rs485-1") } != nil, "sim: \(sim.output)")
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stop() }
        #expect(await daemon.waitForLine { $0.contains("watching 串口测试") } != nil)
        #expect(try await waitForPolls("di-1", socket: control), "the daemon never polled di-1")
        #expect(try await waitForPolls("th-1", socket: control), "the daemon never polled th-1")

        _ = try await simulatorCommand("zone Z01 alarm", socket: control)
        #expect(await daemon.waitForLine { $0.contains("zone Z01 北围墙东段") && $0.contains("normal -> alarm") } != nil, "\(daemon.output)")
        _ = try await simulatorCommand("sensor room-temp 41.5", socket: control)
        #expect(await daemon.waitForLine { $0.contains("sensor room-temp") && $0.contains("normal -> high at 41.5") } != nil)

        _ = try await simulatorCommand("silence th-1", socket: control)
        let before = try await requestsReceived("di-1", socket: control)
        #expect(await daemon.waitForLine { $0.contains("device th-1") && $0.contains("comm lost") } != nil)
        try await Task.sleep(for: .seconds(2))
        let after = try await requestsReceived("di-1", socket: control)
        #expect(after - before >= Int(0.8 * 4 * 2), "di-1 got \(after - before) requests while th-1 was silent")
        #expect(daemon.count { $0.contains("sensor room-temp") && $0.contains("-> normal") } == 0)

        _ = try await simulatorCommand("answer th-1", socket: control)
        #expect(await daemon.waitForLine { $0.contains("device th-1") && $0.contains("comm restored") } != nil)
    }

    @Test("a missing serial port is reported with its path, and the daemon keeps running")
    func missingPort() async throws {
        let dir = try Paths.tempDir("noport")
        let config = dir.appendingPathComponent("site.yaml").path
        try """
        site: {name: 串口测试, timezone: Asia/Shanghai}
        state_dir: \(dir.path)
        control: {socket: \(dir.path)/control.sock}
        profiles: [\(Paths.devices)]
        buses:
          - {id: rs485-1, rtu: {device: /dev/ttyWATCHROOM-missing, baud: 9600}, poll_interval_ms: 200, timeout_ms: 50}
        devices:
          - {id: th-1, bus: rs485-1, unit: 1, profile: xy-md02}
        sensors:
          - {id: room-temp, name: 监控室温度, input: th-1.temperature, low: 5, high: 40}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stop() }
        let line = await daemon.waitForLine { $0.contains("link down") }
        #expect(line?.contains("/dev/ttyWATCHROOM-missing") == true, "\(daemon.output)")
        #expect(line?.contains("No such file or directory") == true)
        #expect(await daemon.waitForLine { $0.contains("device th-1") && $0.contains("comm lost") } != nil)
        #expect(daemon.process.isRunning)
    }
}
