import Foundation
import Synchronization
import Testing

/// A NOTIFY_SOCKET of the test's own: a Unix datagram socket collecting what the daemon sends.
final class NotifySocket: Sendable {
    let path: String
    private let fd: Int32
    private let messages = Mutex<[(ContinuousClock.Instant, String)]>([])

    init(dir: URL) throws {
        path = dir.appendingPathComponent("notify.sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in Array(path.utf8).enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(rc == 0)
        let sock = self.fd
        let box = Box(value: self)
        Thread {
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(sock, &buf, buf.count, 0)
                if n <= 0 { return }
                box.value.messages.withLock { $0.append((ContinuousClock.now, String(decoding: buf[0..<n], as: UTF8.self))) }
            }
        }.start()
    }

    struct Box: @unchecked Sendable { let value: NotifySocket }

    var all: [String] { messages.withLock { $0.map(\.1) } }
    private var snapshot: [(ContinuousClock.Instant, String)] { messages.withLock { $0 } }
    func count(_ match: (String) -> Bool) -> Int { snapshot.filter { match($0.1) }.count }
    func last(_ match: (String) -> Bool) -> ContinuousClock.Instant? { snapshot.last { match($0.1) }?.0 }
    func wait(timeout: Duration = .seconds(10), _ match: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if count(match) > 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

@Suite("systemd notify, watchdog, reload and stop", .serialized, .timeLimit(.minutes(2)))
struct SystemdNotifyTests {
    @Test("READY after the first cycle with a STATUS summary; WATCHDOG while healthy; RELOADING on SIGHUP (bad config kept out, good config applied with alarms kept); STOPPING on SIGTERM")
    func lifecycle() async throws {
        let site = try BigSite(name: "sdnotify", devices: 1, zonesPerDevice: 3)
        let notify = try NotifySocket(dir: site.dir)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let before = try await requestsReceived("d1", socket: site.simSocket)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config],
                                      environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"])
        defer { daemon.stopInBackground() }
        #expect(await notify.wait { $0.hasPrefix("READY=1") })
        // Ready means a poll cycle was attempted: the device has been asked.
        #expect(try await requestsReceived("d1", socket: site.simSocket) > before)
        #expect(notify.all.contains { $0.contains("STATUS=1 bus, 3 zones armed, 0 alarms active, 0 devices comm-lost") }, "\(notify.all)")
        #expect(await notify.wait { $0 == "WATCHDOG=1" })

        _ = try await simulatorCommand("set d1.di[0] true", socket: site.simSocket)
        #expect(await notify.wait { $0.contains("STATUS=1 bus, 3 zones armed, 1 alarm active") })
        #expect(await daemon.waitForLine { $0.contains("alarm 1 raised") } != nil)
        let r = try await watchroomctl(["--config", site.config, "ack", "1", "--user", "张三"])
        #expect(r.0 == 0)

        // A bad config on SIGHUP: RELOADING, the errors logged, the old config keeps running.
        let good = try String(contentsOfFile: site.config, encoding: .utf8)
        try (good + "colour: blue\n").write(toFile: site.config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(await notify.wait { $0.hasPrefix("RELOADING=1") && $0.contains("MONOTONIC_USEC=") })
        #expect(await daemon.waitForLine { $0.contains("unknown key 'colour'") } != nil)
        #expect(await daemon.waitForLine { $0.contains("reload rejected") } != nil)
        #expect(try await watchroomctl(["--config", site.config, "status"]).0 == 0)

        // A good config on SIGHUP: a zone added, the open alarm of a zone that remains keeps its state.
        try good.replacingOccurrences(of: "zones:\n", with: "zones:\n  - {id: NEW, name: 新增防区, type: 24h, input: \"d1.di[10]\"}\n")
            .write(toFile: site.config, atomically: true, encoding: .utf8)
        let readies = notify.count { $0.hasPrefix("READY=1") }
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(await daemon.waitForLine { $0.contains("reloaded: 1 bus, 1 device, 4 zones") } != nil)
        #expect(await notify.wait { _ in notify.count { $0.hasPrefix("READY=1") } > readies })
        let alarms = try await watchroomctl(["--config", site.config, "alarms", "--wide"])
        #expect(alarms.1.contains("acknowledged") && alarms.1.contains("张三"), "\(alarms)")
        #expect(daemon.count { $0.contains("alarm 2 raised") } == 0, "no duplicate raise after reload")

        await daemon.stopAndWait(signal: SIGTERM)
        #expect(notify.all.contains("STOPPING=1"))
        #expect(daemon.process.terminationStatus == 0)
    }

    @Test("a hung bus worker stops the watchdog pings")
    func watchdogStopsOnHang() async throws {
        let site = try BigSite(name: "watchdog", devices: 1, zonesPerDevice: 2)
        let notify = try NotifySocket(dir: site.dir)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config],
                                      environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000",
                                                    "WATCHROOM_TEST_HANG_BUS": "lan"])
        defer { daemon.stopInBackground() }
        #expect(await notify.wait { $0 == "WATCHDOG=1" })
        // The worker hangs 2 s after start; within the health window (10 s) the pings stop for good.
        #expect(await daemon.waitForLine(timeout: .seconds(20)) { $0.contains("withholding the watchdog ping") } != nil)
        let stoppedAt = notify.last { $0 == "WATCHDOG=1" }!
        try await Task.sleep(for: .seconds(3))
        #expect(notify.last { $0 == "WATCHDOG=1" } == stoppedAt, "pings went on after the worker hung")
    }
}
