import Daemon
import Foundation
import Testing

/// An unknown notification format is a config error at its file:line:col naming the known ones,
/// in the same words on every path that loads a config to run it.
@Suite("unknown notify format on every load path", .serialized, .timeLimit(.minutes(2)))
struct NotifierRegistryCheckTests {
    static let known = "use one of standard, alertmanager, wecom, dingtalk, feishu"

    /// The site with its notify section replaced by one target of `format`; the located message expected.
    static func withFormat(_ site: BigSite, _ format: String) throws -> (text: String, located: String) {
        let base = try String(contentsOfFile: site.config, encoding: .utf8).components(separatedBy: "notify:\n").first!
        let target = "  - {id: hook, format: \(format), url: \"http://127.0.0.1:9/hook?key=s3cr3t\"}"
        let text = base + "notify:\n" + target + "\n"
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("  - {id: hook") }! + 1
        let column = target.distance(from: target.startIndex, to: target.range(of: format)!.lowerBound) + 1
        return (text, "\(site.config):\(line):\(column): notify target 'hook' has unknown format '\(format)'; \(known)")
    }

    @Test("check-config (in process and as a command) and run refuse it with the same located message, exit 2")
    func checkAndRun() async throws {
        let site = try BigSite(name: "format-slack", devices: 1, zonesPerDevice: 1)
        let bad = try Self.withFormat(site, "slack")
        try bad.text.write(toFile: site.config, atomically: true, encoding: .utf8)

        let report = ConfigCheck.run(file: site.config, showPlan: false, checkHost: false)
        #expect(report.exitCode == 2)
        #expect(report.output.split(separator: "\n").first.map(String.init) == bad.located, "\(report.output)")

        let check = try ChildProcess(Paths.watchroomd, ["check-config", site.config])
        defer { check.stopInBackground() }
        #expect(await eventually { !check.process.isRunning })
        #expect(check.process.terminationStatus == 2)
        #expect(await check.waitForLine { $0 == bad.located } != nil, "\(check.output)")

        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await eventually { !daemon.process.isRunning })
        #expect(daemon.process.terminationStatus == 2)
        #expect(await daemon.waitForLine { $0.contains(bad.located) } != nil, "\(daemon.output)")
    }

    @Test("SIGHUP with an unknown format: the same located error, the reload rejected, the daemon keeps running")
    func reload() async throws {
        let site = try BigSite(name: "reload-slack", devices: 1, zonesPerDevice: 1)
        try Self.withFormat(site, "standard").text.write(toFile: site.config, atomically: true, encoding: .utf8)
        let notify = try NotifySocket(dir: site.dir)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config], environment: ["NOTIFY_SOCKET": notify.path])
        defer { daemon.stopInBackground() }
        #expect(await notify.wait { $0.hasPrefix("READY=1") })

        let bad = try Self.withFormat(site, "slack")
        try bad.text.write(toFile: site.config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(await daemon.waitForLine { $0.contains(bad.located) } != nil, "\(daemon.output.suffix(20))")
        #expect(await eventually { daemon.count { $0.contains("reload rejected") } > 0 })
        #expect(daemon.process.isRunning, "the daemon died on reload")
        #expect(!daemon.output.contains { $0.contains("s3cr3t") }, "a rejected reload echoed the URL's key")
    }
}
