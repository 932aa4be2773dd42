import Foundation
import Testing

/// Every bus thread of a running daemon is named `bus-<id>` in /proc, so top -H, perf and gdb
/// can tell the buses apart (Foundation's Thread.name never reaches the kernel on Linux).
struct ThreadNameTests {
    static func threadNames(of pid: Int32) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test("a running daemon's bus thread is named bus-<id> in /proc/PID/task/*/comm")
    func busThreadNamed() async throws {
        // No server behind the bus: the thread exists and retries with backoff all the same.
        let site = try BigSite(name: "thread-names", devices: 1, zonesPerDevice: 1)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine(timeout: .seconds(60)) { $0.contains("watching") } != nil)
        let pid = daemon.process.processIdentifier
        var names: [String] = []
        for _ in 0..<100 {
            names = Self.threadNames(of: pid)
            if names.contains("bus-lan") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(names.contains("bus-lan"), "threads: \(names)")
    }

    @Test("the simulator's server threads are named sim-<bus>")
    func simulatorThreadNamed() async throws {
        let site = try BigSite(name: "thread-names-sim", devices: 1, zonesPerDevice: 1)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine(timeout: .seconds(60)) { $0.contains("simulating bus lan") } != nil)
        let names = Self.threadNames(of: sim.process.processIdentifier)
        #expect(names.contains("sim-lan"), "threads: \(names)")
    }
}
