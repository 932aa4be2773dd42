import Alarms
import Foundation
import Journal
import Simulator
import Testing

@Suite("alarm flood", .serialized, .timeLimit(.minutes(3)))
struct FloodTests {
    @Test("5,001 zone alarms within one second are all journaled, and status stays responsive")
    func flood() async throws {
        let site = try BigSite(name: "flood", devices: 3, zonesPerDevice: 1667, pollMs: 200)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        // Parsing 5,001 zones takes a debug build a while, longer on a loaded machine: wait for it to serve
        // (a daemon started before would see its devices comm-lost and raise 3 more alarms).
        #expect(await sim.waitForLine(timeout: .seconds(90)) { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine(timeout: .seconds(90)) { $0.contains("control API on") } != nil)
        // The first scans are in: the fill below is seen as 5,001 changes.
        for d in 1...3 { #expect(try await waitForPolls("d\(d)", socket: site.simSocket, atLeast: 3, timeout: .seconds(30))) }

        // Timed on one thread around the three commands alone: the simulator's speed, not this test's turn on the pool.
        let socket = site.simSocket
        let took = try await blocking {
            let start = ContinuousClock.now
            for d in 1...3 { _ = try LineSocketServer.send("fill d\(d).di true", to: socket) }
            return ContinuousClock.now - start
        }
        #expect(took < .seconds(1), "the simulator took \(took) to trip the zones")

        // During the flood the daemon answers status.
        var answered = 0
        for _ in 0..<5 {
            let r = try await watchroomctl(["--config", site.config, "status"])
            if r.0 == 0 && r.1.contains("压力测试") { answered += 1 }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(answered == 5)

        let journal = try Journal(path: site.journal)
        // Reads of 5,001 alarms off the concurrency pool (see `blocking`): each takes a while in a debug build.
        let all = try await eventually(timeout: .seconds(60)) { try await blocking { try journal.alarms(all: false, limit: 10_000).count == 5001 } }
        let openCount = try await blocking { try journal.alarms(all: false, limit: 10_000).count }
        #expect(all, "open alarms: \(openCount)")
        let raised = try await blocking { try journal.events(after: 0, limit: 100_000).filter { $0.kind == .raised }.count }
        #expect(raised == 5001)
        #expect(try journal.integrityCheck() == "ok")

        // The log sums the storm up: no line per zone (there were three each), while every event is journaled above.
        #expect(await daemon.waitForLine(timeout: .seconds(30)) { $0.contains("5,001 zones in alarm in") && $0.contains("see watchroomctl alarms") } != nil)
        #expect(daemon.count { $0.contains("alarm storm:") } == 2, "the storm line and its NOTIFY line")
        let perZone = daemon.count { $0.contains(" Z1-") || $0.contains(" Z2-") || $0.contains(" Z3-") }
        #expect(perZone == 0, "per-zone lines: \(perZone)")
        #expect(daemon.output.count < 50, "\(daemon.output.count) log lines")
    }
}
