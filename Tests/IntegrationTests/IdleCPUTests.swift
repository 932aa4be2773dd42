import Foundation
import Testing

/// CPU seconds (user + system) a process has used so far, from /proc/PID/stat.
func cpuSeconds(pid: Int32) throws -> Double {
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    // The command name is in parentheses and may hold spaces: count fields after the last ")".
    guard let close = stat.lastIndex(of: ")") else { throw CPUStatError(text: stat) }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the name: state is field 3 of the line, utime 14 and stime 15, so 11 and 12 here (0-based).
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { throw CPUStatError(text: stat) }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

struct CPUStatError: Error, CustomStringConvertible {
    let text: String
    var description: String { "unreadable /proc stat line: \(text)" }
}

/// An idle daemon stays idle after it has delivered a notification.
@Suite("idle CPU", .serialized, .timeLimit(.minutes(2)))
struct IdleCPUTests {
    @Test("after one webhook delivery, an idle daemon uses well under a fifth of a core")
    func idleAfterDelivery() async throws {
        let receiver = try await WebhookReceiver()
        defer { receiver.stop() }
        let s = try BigSite(name: "idle-cpu", devices: 1, zonesPerDevice: 2, pollMs: 200)
        var yaml = try String(contentsOfFile: s.config, encoding: .utf8)
        yaml += """
        shifts:
          - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
          - {name: night, start: "20:00", end: "08:00", leader: {name: 李强, mobile: "13800000002"}}
        notify:
          - {id: incidents, format: standard, url: "http://127.0.0.1:\(receiver.port)/incidents", group_window_s: 0}
        """
        try yaml.write(toFile: s.config, atomically: true, encoding: .utf8)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", s.config, "--control", s.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", s.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        #expect(try await waitForPolls("d1", socket: s.simSocket))

        _ = try await simulatorCommand("set d1.di[0] true", socket: s.simSocket)
        let delivered = await eventually(timeout: .seconds(20)) { receiver.all.contains { $0.path == "/incidents" } }
        try #require(delivered, "the trip was delivered to the receiver")
        #expect(await daemon.waitForLine { $0.contains("notify incidents: delivered") } != nil)

        // Idle now: nothing to send, only polling. Measure the daemon's CPU time over 3 s of wall time.
        try await Task.sleep(for: .milliseconds(500))
        let pid = daemon.process.processIdentifier
        let before = try cpuSeconds(pid: pid)
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(3))
        let used = try cpuSeconds(pid: pid) - before
        let wall = ContinuousClock.now - start
        let share = used / (Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
        print("idle CPU after a delivery: \(String(format: "%.2f", used)) s over 3 s (\(Int(share * 100)) % of a core)")
        #expect(share < 0.2, "the idle daemon used \(Int(share * 100)) % of a core after one delivery")
    }
}
