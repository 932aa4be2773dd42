import Alarms
import Foundation
import Journal
import Testing

@Suite("alarm flood", .serialized, .timeLimit(.minutes(3)))
struct FloodTests {
    @Test("5,001 zone alarms within one second are all journaled, and status stays responsive")
    func flood() async throws {
        let site = try BigSite(name: "flood", devices: 3, zonesPerDevice: 1667, pollMs: 200)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stop() }
        #expect(await sim.waitForLine(timeout: .seconds(20)) { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stop() }
        #expect(await daemon.waitForLine(timeout: .seconds(30)) { $0.contains("control API on") } != nil)
        try await Task.sleep(for: .seconds(1))

        let start = ContinuousClock.now
        for d in 1...3 { _ = try await simulatorCommand("fill d\(d).di true", socket: site.simSocket) }
        #expect(ContinuousClock.now - start < .seconds(1), "the simulator took too long to trip the zones")

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
    }
}
