import Foundation
import Testing

/// Debian's mbpoll, an independent Modbus master, reads what the simulator serves.
@Suite("mbpoll interop with the simulator", .serialized, .timeLimit(.minutes(1)))
struct MbpollInteropTests {
    /// Runs mbpoll once and returns the values it printed by reference ("[N]:  value").
    func mbpoll(_ args: [String]) async throws -> [Int: Int] {
        let r = try await runToExit("/usr/bin/mbpoll", args)
        let data = Data((r.out + r.err).utf8)
        var values: [Int: Int] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("[") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, let ref = Int(parts[0].dropFirst().dropLast()) else { continue }
            let v = parts[1].trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            if let n = Int(v) { values[ref] = n }
        }
        return values
    }

    @Test("mbpoll reads the simulator's discrete inputs, input registers and coils as configured")
    func interop() async throws {
        let dir = try Paths.tempDir("mbpoll")
        let port = try freePort()
        let config = dir.appendingPathComponent("site.yaml").path
        try """
        site: {name: interop, timezone: UTC}
        state_dir: \(dir.path)
        control: {socket: \(dir.path)/control.sock}
        profiles: [\(Paths.devices)]
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: \(port)}}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
          - {id: th-1, bus: lan, unit: 2, profile: xy-md02}
        zones:
          - {id: Z01, name: 北围墙, type: perimeter, input: "di-1.di[0]"}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let control = dir.appendingPathComponent("sim.sock").path
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", config, "--control", control])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        _ = try await simulatorCommand("zone Z01 alarm", socket: control)
        _ = try await simulatorCommand("set di-1.di[5] true", socket: control)
        _ = try await simulatorCommand("set di-1.relay[2] true", socket: control)
        _ = try await simulatorCommand("set th-1.temperature -20.5", socket: control)
        _ = try await simulatorCommand("set th-1.humidity 55.3", socket: control)

        // -0: zero-based references; -1: one poll; -t 1 discrete inputs, 0 coils, 3 input registers (-t 3 is int16 by default).
        let base = ["-m", "tcp", "-p", "\(port)", "-a", "1", "-0", "-1"]
        let di = try await mbpoll(base + ["-t", "1", "-r", "0", "-c", "8", "127.0.0.1"])
        #expect(di == [0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0])
        let coils = try await mbpoll(base + ["-t", "0", "-r", "0", "-c", "4", "127.0.0.1"])
        #expect(coils == [0: 0, 1: 0, 2: 1, 3: 0])
        let regs = try await mbpoll(["-m", "tcp", "-p", "\(port)", "-a", "2", "-0", "-1", "-t", "3", "-r", "1", "-c", "2", "127.0.0.1"])
        // -20.5 °C x10 = -205 (0xFF33), 55.3 %RH x10 = 553.
        #expect(regs == [1: 0xFF33, 2: 553])  // mbpoll prints 16-bit registers unsigned: 0xFF33 is int16 -205
    }
}
