import Foundation
import Testing

/// A config that YAML accepts but the daemon cannot use is refused, located, at start and on
/// SIGHUP; a reload can never crash the running daemon (under systemd that was a crash loop
/// with monitoring stopped).
@Suite("config reload", .serialized, .timeLimit(.minutes(2)))
struct ConfigReloadTests {
    /// The site's notify target with this pacing; the target's line in the file, and the value's column.
    static func withGroupWindow(_ site: BigSite, _ value: String) throws -> (text: String, line: Int, column: Int) {
        let base = try String(contentsOfFile: site.config, encoding: .utf8)
            .components(separatedBy: "notify:\n").first!
        let target = "  - {id: hook, format: standard, url: \"http://127.0.0.1:9/hook?key=s3cr3t\", group_window_s: \(value)}"
        let text = base + "notify:\n" + target + "\n"
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("  - {id: hook") }! + 1
        return (text, line, target.unicodeScalars.count - value.unicodeScalars.count)
    }

    @Test("SIGHUP with group_window_s NaN or 1e308: the located error is logged, the reload rejected, the daemon keeps running and polling")
    func reloadWithUnusableNumber() async throws {
        let site = try BigSite(name: "reload-nan", devices: 1, zonesPerDevice: 2)
        try Self.withGroupWindow(site, "1").text.write(toFile: site.config, atomically: true, encoding: .utf8)
        let notify = try NotifySocket(dir: site.dir)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config], environment: ["NOTIFY_SOCKET": notify.path])
        defer { daemon.stopInBackground() }
        #expect(await notify.wait { $0.hasPrefix("READY=1") })

        for value in ["nan", "1e308"] {
            let bad = try Self.withGroupWindow(site, value)
            try bad.text.write(toFile: site.config, atomically: true, encoding: .utf8)
            let rejected = daemon.count { $0.contains("reload rejected") }
            kill(daemon.process.processIdentifier, SIGHUP)
            let located = "\(site.config):\(bad.line):\(bad.column): group_window_s"
            #expect(await daemon.waitForLine { $0.contains(located) } != nil, "\(value): \(daemon.output.suffix(20))")
            #expect(await eventually { daemon.count { $0.contains("reload rejected") } > rejected })
            #expect(daemon.process.isRunning, "\(value): the daemon died on reload")
            #expect(try await watchroomctl(["--config", site.config, "status"]).0 == 0)
            let polled = try await requestsReceived("d1", socket: site.simSocket)
            #expect(try await waitForPolls("d1", socket: site.simSocket, atLeast: polled + 2), "still polling after \(value)")
        }
        #expect(!daemon.output.contains { $0.contains("s3cr3t") }, "a rejected reload echoed the URL's key")
    }

    @Test("run refuses to start on group_window_s NaN with the located error and exit 2 (not a trap)")
    func startWithUnusableNumber() async throws {
        let site = try BigSite(name: "start-nan", devices: 1, zonesPerDevice: 1)
        let bad = try Self.withGroupWindow(site, "nan")
        try bad.text.write(toFile: site.config, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await eventually { !daemon.process.isRunning })
        #expect(daemon.process.terminationStatus == 2)
        #expect(await daemon.waitForLine { $0.contains("\(site.config):\(bad.line):\(bad.column): group_window_s") } != nil,
                "\(daemon.output)")
    }
}
