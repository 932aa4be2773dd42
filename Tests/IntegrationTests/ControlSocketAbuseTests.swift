import Alarms
import Control
import Foundation
import Testing

/// Hostile and careless clients on the control socket: idle and half-open connections by the
/// hundred must neither lock operators out nor take the daemon down (issue 9, item 4).
@Suite("control socket abuse", .serialized, .timeLimit(.minutes(2)))
struct ControlSocketAbuseTests {
    @Test("hundreds of idle connections under a low descriptor limit: status answers, a trip is journaled, idle ones are closed")
    func idleConnections() async throws {
        let site = try BigSite(name: "abuse", devices: 1, zonesPerDevice: 2)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        // A low soft and hard limit for the daemon alone, so a few hundred connections exhaust it.
        let daemon = try ChildProcess("/bin/bash", ["-c", "ulimit -n 256 && exec \"$0\" \"$@\"", Paths.watchroomd, "run", "--config", site.config],
                                      environment: ["WATCHROOM_CONTROL_IDLE_TIMEOUT_S": "3"])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        #expect(try await waitForPolls("d1", socket: site.simSocket))

        let idle = openIdleConnections(300, to: site.controlSocket)
        defer { for fd in idle { close(fd) } }
        #expect(idle.count > 200, "the test could not open its connections")

        // An operator still gets an answer at once, not after the idle ones time out.
        let status = try await watchroomctl(["--config", site.config, "status"], deadline: .seconds(5))
        #expect(status.0 == 0, "\(status)")
        #expect(status.1.contains("armed"), "\(status)")

        // Monitoring goes on: a trip is raised and journaled.
        _ = try await simulatorCommand("set d1.di[0] true", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 1 raised") } != nil, "\(daemon.output.suffix(20))")
        let events = try await watchroomctl(["--config", site.config, "--json", "events"], deadline: .seconds(5))
        let journaled = try ControlJSON.decoder.decode([AlarmEvent].self, from: Data(events.1.utf8))
        #expect(journaled.contains { $0.kind == .raised && $0.alarm?.source.id == "Z1-0" }, "\(events)")
        #expect(daemon.process.isRunning)

        // The idle connections are closed by the daemon (refused, evicted or timed out), not kept forever.
        let open = await stillOpen(idle, within: .seconds(10))
        #expect(open == 0, "\(open) idle connections still open after the idle timeout")
        #expect(daemon.process.isRunning)
        #expect(daemon.count { $0.contains("WARN") && $0.contains("too many control connections") } == 1, "\(daemon.output.suffix(30))")
        let again = try await watchroomctl(["--config", site.config, "status"], deadline: .seconds(5))
        #expect(again.0 == 0, "\(again)")
    }

    @Test("a connection that never completes its request head is closed after the idle timeout")
    func slowHead() async throws {
        let site = try BigSite(name: "slowhead", devices: 1, zonesPerDevice: 1)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config], environment: ["WATCHROOM_CONTROL_IDLE_TIMEOUT_S": "1"])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        let fds = openIdleConnections(1, to: site.controlSocket)
        defer { for fd in fds { close(fd) } }
        try #require(fds.count == 1)
        let partial = "GET /v1/status HTTP/1.1\r\nHost: x\r\n"
        _ = partial.withCString { write(fds[0], $0, strlen($0)) }
        #expect(await stillOpen(fds, within: .seconds(6)) == 0)
    }
}

/// Opens up to `n` connections to a Unix socket without sending anything (non-blocking, so a
/// full listen backlog ends the opening instead of hanging the test).
func openIdleConnections(_ n: Int, to path: String) -> [Int32] {
    var fds: [Int32] = []
    for _ in 0..<n {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { break }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 { close(fd); break }
        fds.append(fd)
    }
    return fds
}

/// How many of `fds` the peer has not closed within `within` (reads and discards what arrives).
func stillOpen(_ fds: [Int32], within: Duration) async -> Int {
    var open = Set(fds)
    let deadline = ContinuousClock.now + within
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !open.isEmpty && ContinuousClock.now < deadline {
        for fd in open {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { open.remove(fd) }
        }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return open.count
}

/// Runs watchroomctl, killing it after `deadline`: (exit code or nil when killed, stdout, stderr).
func watchroomctl(_ args: [String], deadline: Duration) async throws -> (Int32?, String, String) {
    let r = try await runToExit(Paths.watchroomctl, args, deadline: deadline)
    return (r.status, r.out, r.err)
}
