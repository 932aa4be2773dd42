import Foundation
import Testing

/// SIGTERM and SIGINT stop the daemon gracefully whenever they come: while it runs, and while a
/// reload switches from one service group to the next (when no group listens for a moment).
@Suite("stop signals", .serialized, .timeLimit(.minutes(1)))
struct StopSignalsTests {
    @Test("SIGINT stops like SIGTERM: the stop line with its signal, STOPPING=1, exit 0, the control socket removed")
    func sigint() async throws {
        let site = try BigSite(name: "sigint", devices: 1, zonesPerDevice: 1)
        let notify = try NotifySocket(dir: site.dir)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config], environment: ["NOTIFY_SOCKET": notify.path])
        defer { daemon.stopInBackground() }
        #expect(await notify.wait { $0.hasPrefix("READY=1") })
        kill(daemon.process.processIdentifier, SIGINT)
        #expect(await eventually { !daemon.process.isRunning })
        #expect(daemon.process.terminationStatus == 0)
        #expect(daemon.count { $0.contains("signal 2: stopping (journal writes finish, the outbox is kept)") } == 1, "\(daemon.output)")
        #expect(daemon.count { $0.contains("stopped polling") } == 1)
        #expect(notify.all.contains("STOPPING=1"))
        #expect(!FileManager.default.fileExists(atPath: site.controlSocket))
    }

    /// The gaps sweep the reload's switch-over (the old group stopping, the next one starting: tens of ms).
    @Test("SIGTERM right behind a good SIGHUP still stops the daemon, whichever generation it reaches",
          arguments: Array(stride(from: 0, through: 120, by: 10)))
    func stopDuringReload(gapMilliseconds: Int) async throws {
        let site = try BigSite(name: "stop-reload", devices: 1, zonesPerDevice: 1)
        let notify = try NotifySocket(dir: site.dir)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config], environment: ["NOTIFY_SOCKET": notify.path])
        defer { daemon.stopInBackground() }
        #expect(await notify.wait { $0.hasPrefix("READY=1") })
        kill(daemon.process.processIdentifier, SIGHUP)
        if gapMilliseconds > 0 { try await Task.sleep(for: .milliseconds(gapMilliseconds)) }
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(await eventually { !daemon.process.isRunning }, "the stop was lost: \(daemon.output.suffix(10))")
        #expect(daemon.process.terminationStatus == 0)
        #expect(daemon.count { $0.contains("signal 15: stopping") } == 1, "\(daemon.output)")
        #expect(notify.all.contains("STOPPING=1"))
    }
}
