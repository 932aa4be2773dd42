import Alarms
import Control
import Foundation
import Testing

/// watchroomctl against a running daemon polling the simulator.
@Suite("watchroomctl end to end", .serialized, .timeLimit(.minutes(2)))
struct WatchroomctlTests {
    @Test("ack, note, reset with every refusal; arm and disarm; shelve; out of service; watch sees each step")
    func lifecycle() async throws {
        let site = try BigSite(name: "ctl", devices: 1, zonesPerDevice: 4, type: "perimeter")
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        let ctl = ["--config", site.config]
        let watch = try ChildProcess(Paths.watchroomd.replacingOccurrences(of: "watchroomd", with: "watchroomctl"), ctl + ["watch"])
        defer { watch.stopInBackground(signal: SIGINT) }
        #expect(await watch.waitForLine { $0.contains("watching") } != nil)

        _ = try await simulatorCommand("set d1.di[0] true", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 1 raised") } != nil)

        // Global options before the subcommand; JSON for scripts.
        let (code, json, _) = try await watchroomctl(["--socket", site.controlSocket, "--json", "alarms"])
        #expect(code == 0)
        let open = try ControlJSON.decoder.decode([Alarm].self, from: Data(json.utf8))
        #expect(open.map(\.source.id) == ["Z1-0"])
        #expect(open.first?.state == .unacknowledged)

        // Refusals, each with its message and exit code.
        var r = try await watchroomctl(ctl + ["reset", "1", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("not acknowledged; acknowledge it first"), "\(r)")
        r = try await watchroomctl(ctl + ["ack", "1"])
        #expect(r.0 == 2 && r.2.contains("--user NAME is required"), "\(r)")
        r = try await watchroomctl(ctl + ["ack", "42", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("no open alarm 42"), "\(r)")
        r = try await watchroomctl(ctl + ["ack", "1", "--user", "张三"])
        #expect(r.0 == 0 && r.1.contains("ACKNOWLEDGED alarm 1"), "\(r)")
        r = try await watchroomctl(ctl + ["ack", "1", "--user", "李四"])
        #expect(r.0 == 1 && r.2.contains("already acknowledged (by 张三"), "\(r)")
        r = try await watchroomctl(ctl + ["reset", "1", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("still active"), "\(r)")
        _ = try await simulatorCommand("set d1.di[0] false", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 1 returned") } != nil)
        r = try await watchroomctl(ctl + ["reset", "1", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("a handling note is required"), "\(r)")
        r = try await watchroomctl(ctl + ["note", "1", "--user", "张三", "--text", "现场检查为野猫触发,已复位"])
        #expect(r.0 == 0, "\(r)")
        r = try await watchroomctl(ctl + ["reset", "1", "--user", "张三"])
        #expect(r.0 == 0 && r.1.contains("RESET alarm 1"), "\(r)")
        r = try await watchroomctl(ctl + ["ack", "1", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("no open alarm 1"), "\(r)")

        // The history keeps every step with its user; the note is intact.
        r = try await watchroomctl(ctl + ["show", "1"])
        #expect(r.1.contains("现场检查为野猫触发,已复位"), "\(r)")
        #expect(r.1.contains("RESET alarm 1") && r.1.contains("by 张三"))
        r = try await watchroomctl(ctl + ["alarms", "--all"])
        #expect(r.1.contains("normal") && r.1.contains("北") == false && r.1.contains("防区1-0"), "\(r)")

        // Disarmed perimeter zones do not alarm; arming a zone that is open is refused.
        r = try await watchroomctl(ctl + ["disarm", "Z1-1", "--user", "张三"])
        #expect(r.0 == 0 && r.1.contains("DISARMED zone Z1-1"), "\(r)")
        _ = try await simulatorCommand("set d1.di[1] true", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("zone Z1-1") && $0.contains("normal -> alarm") } != nil, "the daemon saw the input")
        #expect(daemon.count { $0.contains("zone Z1-1") && $0.contains("raised") } == 0)
        r = try await watchroomctl(ctl + ["arm", "Z1-1", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("in alarm now"), "\(r)")
        _ = try await simulatorCommand("set d1.di[1] false", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("zone Z1-1") && $0.contains("alarm -> normal") } != nil, "the daemon saw it restore")
        r = try await watchroomctl(ctl + ["arm", "Z1-1", "--user", "张三"])
        #expect(r.0 == 0, "\(r)")

        // Shelving is bounded and visible in status; out of service is visible too.
        _ = try await simulatorCommand("set d1.di[2] true", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 2 raised") } != nil)
        r = try await watchroomctl(ctl + ["shelve", "2", "--for", "9999m", "--reason", "树枝", "--user", "张三"])
        #expect(r.0 == 2 && r.2.contains("at most 480 minutes"), "\(r)")
        r = try await watchroomctl(ctl + ["shelve", "2", "--for", "30m", "--reason", "树枝误报", "--user", "张三"])
        #expect(r.0 == 0, "\(r)")
        r = try await watchroomctl(ctl + ["out-of-service", "Z1-3", "--user", "王五", "--reason", "探测器更换"])
        #expect(r.0 == 0, "\(r)")
        r = try await watchroomctl(ctl + ["status"])
        #expect(r.1.contains("shelved: alarm 2 Z1-2") && r.1.contains("树枝误报"), "\(r)")
        #expect(r.1.contains("out of service: Z1-3") && r.1.contains("探测器更换"), "\(r)")

        // The watcher saw the whole lifecycle as it happened.
        #expect(await watch.waitForLine { $0.contains("SHELVED alarm 2") } != nil)
        // Each row names the zone first, then what happened (zone-level events: the zone's id and name).
        for (step, zone) in [("RAISED alarm 1", "Z1-0"), ("ACKNOWLEDGED alarm 1", "Z1-0"), ("RETURNED alarm 1", "Z1-0"), ("NOTED alarm 1", "Z1-0"),
                             ("RESET alarm 1", "Z1-0"), ("DISARMED", "Z1-1"), ("ARMED", "Z1-1"), ("OUT-OF-SERVICE", "Z1-3")] {
            #expect(watch.output.contains { $0.contains(step) && $0.hasPrefix("防区\(zone.dropFirst())") && $0.contains(zone) }, "watch missed \(step) \(zone): \(watch.output)")
        }
    }

    @Test("a daemon that is not running: the message names the socket it tried")
    func notRunning() async throws {
        let r = try await watchroomctl(["--socket", "/tmp/watchroom-no-such.sock", "status"])
        #expect(r.0 == 1)
        #expect(r.2.contains("/tmp/watchroom-no-such.sock") && r.2.contains("is watchroomd running?"))
    }
}
