import Foundation

/// A generated site for process tests: N contact zones spread over large DI modules.
struct BigSite {
    let dir: URL
    let port: Int
    var config: String { dir.appendingPathComponent("site.yaml").path }
    var controlSocket: String { dir.appendingPathComponent("control.sock").path }
    var simSocket: String { dir.appendingPathComponent("sim.sock").path }
    var journal: String { dir.appendingPathComponent("journal.sqlite").path }

    /// `zonesPerDevice` zones of `type` on each of `devices` modules of 2000 inputs (one request each).
    init(name: String, devices: Int, zonesPerDevice: Int, type: String = "24h", pollMs: Int = 100) throws {
        dir = try Paths.tempDir(name)
        port = try freePort()
        try """
        model: di-2000
        source: "test fixture: 2000 discrete inputs in one read"
        points:
          di: {table: discrete_input, address: 0, count: 2000}
          relay: {table: coil, address: 0, count: 16, writable: true}
        """.write(to: dir.appendingPathComponent("di-2000.yaml"), atomically: true, encoding: .utf8)
        var yaml = """
        site: {name: 压力测试, timezone: Asia/Shanghai}
        state_dir: \(dir.path)
        control: {socket: \(dir.path)/control.sock}
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: \(port)}, poll_interval_ms: \(pollMs), timeout_ms: 500}
        devices:

        """
        for d in 1...devices { yaml += "  - {id: d\(d), bus: lan, unit: \(d), profile: di-2000}\n" }
        yaml += "zones:\n"
        for d in 1...devices {
            for i in 0..<zonesPerDevice {
                yaml += "  - {id: Z\(d)-\(i), name: 防区\(d)-\(i), type: \(type), input: \"d\(d).di[\(i)]\"}\n"
            }
        }
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
    }
}

/// Runs watchroomctl to its exit (off the concurrency pool) and returns (exit code, stdout, stderr).
func watchroomctl(_ args: [String]) async throws -> (Int32, String, String) {
    let r = try await runToExit(Paths.watchroomctl, args)
    return (r.status ?? -1, r.out, r.err)
}

/// Polls `condition` until true or `timeout`.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
