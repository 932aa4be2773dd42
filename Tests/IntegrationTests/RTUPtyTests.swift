import Foundation
import Modbus
import Synchronization
import Testing

/// A pty pair from socat stands in for an RS-485 line: the simulator serves one end, the daemon polls the other.
@Suite("daemon against the simulator over Modbus RTU (socat pty pair)", .serialized, .timeLimit(.minutes(1)))
struct RTUPtyTests {
    @Test("over RTU a zone trip is logged; a silenced device goes comm-lost while the other keeps being polled; it recovers")
    func rtu() async throws {
        let dir = try Paths.tempDir("rtu")
        let a = dir.appendingPathComponent("ttyA").path, b = dir.appendingPathComponent("ttyB").path
        let socat = try ChildProcess("/usr/bin/socat", ["-d", "-d", "pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"])
        defer { socat.stopInBackground() }
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
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus rs485-1") } != nil, "sim: \(sim.output)")
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stopInBackground() }
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
        defer { daemon.stopInBackground() }
        let line = await daemon.waitForLine { $0.contains("link down") }
        #expect(line?.contains("/dev/ttyWATCHROOM-missing") == true, "\(daemon.output)")
        #expect(line?.contains("No such file or directory") == true)
        #expect(await daemon.waitForLine { $0.contains("device th-1") && $0.contains("comm lost") } != nil)
        #expect(daemon.process.isRunning)
    }

    @Test("over RTU a reply from another address or with a bad CRC is a comm error, a dribbled reply times out at the timeout")
    func hostileRTU() async throws {
        let dir = try Paths.tempDir("rtu-hostile")
        let a = dir.appendingPathComponent("ttyA").path, b = dir.appendingPathComponent("ttyB").path
        let socat = try ChildProcess("/usr/bin/socat", ["-d", "-d", "pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"])
        defer { socat.stopInBackground() }
        #expect(await socat.waitForLine { $0.contains("starting data transfer loop") } != nil, "socat: \(socat.output)")
        let device = try HostileRTUDevice(path: a)
        defer { device.stop() }
        let client = try ModbusClient(endpoint: .rtu(SerialSettings(device: b, baud: 19200)))
        client.setResponseTimeout(.milliseconds(150))
        try client.connect()
        try client.setUnit(2)
        #expect(try client.readRegisters(.inputRegister, address: 0, count: 2) == [2000, 2001])

        device.set(.address(3))
        let other = try #require(throws: ModbusError.self) { try client.readRegisters(.inputRegister, address: 0, count: 2) }
        #expect(other.kind == .protocolError && other.description.contains("reply from unit 3, expected unit 2"), "\(other)")

        device.set(.badCRC)
        let crc = try #require(throws: ModbusError.self) { try client.readRegisters(.inputRegister, address: 0, count: 2) }
        #expect(crc.kind == .protocolError && crc.description.contains("bad CRC"), "\(crc)")

        device.set(.dribble(.milliseconds(40)))
        let start = ContinuousClock.now
        let slow = try #require(throws: ModbusError.self) { try client.readRegisters(.inputRegister, address: 0, count: 10) }
        #expect(ContinuousClock.now - start < .milliseconds(600))
        #expect(slow.kind == .timeout && slow.description.contains("timed out after 150 ms: reply incomplete"), "\(slow)")

        device.set(.normal)
        try await Task.sleep(for: .milliseconds(1200))  // the dribbled reply (25 bytes) ends on the line
        #expect(try client.readRegisters(.inputRegister, address: 1, count: 1) == [2001])
    }
}

/// An RTU slave on one end of a pty pair that answers unit 2 wrongly on purpose.
final class HostileRTUDevice: Sendable {
    enum Mode: Sendable { case normal, address(UInt8), badCRC, dribble(Duration) }
    private let fd: Int32
    private let mode = Mutex<Mode>(.normal)
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(path: String) throws {
        fd = open(path, O_RDWR | O_NOCTTY)
        guard fd >= 0 else { throw POSIXError(.ENOENT) }
        Thread { [self] in serve(); done.signal() }.start()
    }

    func set(_ m: Mode) { mode.withLock { $0 = m } }
    func stop() { stopping.store(true, ordering: .relaxed); done.wait(); close(fd) }

    private func serve() {
        var request: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 64)
        while !stopping.load(ordering: .relaxed) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 20) > 0 else { continue }
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { continue }
            request += buf[0..<n]
            guard request.count >= 8 else { continue }
            let address = Int(request[2]) << 8 | Int(request[3]), count = Int(request[4]) << 8 | Int(request[5])
            request = []
            let m = mode.withLock { $0 }
            var unit: UInt8 = 2
            if case .address(let other) = m { unit = other }
            var frame: [UInt8] = [unit, 4, UInt8(2 * count)]
            for i in 0..<count { let v = 2000 + address + i; frame += [UInt8(v >> 8), UInt8(v & 0xFF)] }
            let crc = CRC16.modbus(frame)
            frame += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
            if case .badCRC = m { frame[frame.count - 1] ^= 0xFF }
            if case .dribble(let gap) = m {
                for byte in frame {
                    _ = [byte].withUnsafeBytes { write(fd, $0.baseAddress, 1) }
                    Thread.sleep(forTimeInterval: Double(gap.components.attoseconds) / 1e18)
                }
            } else {
                _ = frame.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            }
        }
    }
}
