import TestClock
import Alarms
import Control
import Foundation
@testable import Daemon
import Journal
import Logging
import ServiceLifecycle
import SiteConfig
import Synchronization
import Testing

/// The daemon's timed parts run on the injected clock and wall time: a test moves days in
/// milliseconds, and a graceful stop ends their waits without the clock moving.
struct TimedPartsTests {
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Waits (in real time, bounded) until `condition` holds. The bound is generous: process tests
    /// running beside this one block cooperative threads while they wait for their children.
    static func until(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return condition()
    }

    /// One round of a part that sleeps on `clock`: waits until it sleeps, moves the clock to its
    /// deadline, and waits until it sleeps again (its round done).
    static func nextRound(_ clock: ManualClock) async -> Bool {
        guard await until({ clock.nextDeadline != nil }), let deadline = clock.nextDeadline else {
            Issue.record("nothing sleeps on the clock at \(clock.elapsed)")
            return false
        }
        clock.advance(to: deadline)
        guard await until({ (clock.nextDeadline ?? .zero) > deadline }) else {
            Issue.record("woken at \(deadline), the part did not sleep again (next deadline \(String(describing: clock.nextDeadline)))")
            return false
        }
        return true
    }

    @Test("a part acts once per period of the injected clock, never on real time, and a graceful stop ends its wait at once")
    func tickerOnManualClock() async throws {
        let clock = ManualClock()
        let rounds = Mutex(0)
        // An hour per round: on real time this test could never see a round.
        let ticker = Ticker("hourly", every: .seconds(3600), clock: clock) { rounds.withLock { $0 += 1 } }
        let group = ServiceGroup(configuration: .init(services: [.init(service: ticker)], logger: Self.quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await Self.until { clock.nextDeadline != nil })
            #expect(rounds.withLock { $0 } == 0, "the first round waits a period")
            for n in 1...3 {
                #expect(await Self.nextRound(clock))
                #expect(rounds.withLock { $0 } == n)
            }
            #expect(clock.elapsed == .seconds(3 * 3600))
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(clock.elapsed == .seconds(3 * 3600), "stopping did not need the clock to move")
        #expect(rounds.withLock { $0 } == 3)
    }

    @Test("journal pruning runs at start and once a day of the injected clock, judging age by the injected wall time")
    func pruningOnManualClock() async throws {
        let dir = try Paths.tempDir("prune-clock")
        let journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await journal.commit([AlarmEvent(kind: .armed, time: start, zone: "Z1")])
        let clock = ManualClock()
        // Wall time moves with the manual clock.
        let now: @Sendable () -> Date = { start.addingTimeInterval(Double(clock.elapsed.components.seconds)) }
        let pruning = Ticker.journalPruning(journal, keepEventsDays: 30, logger: Self.quiet, clock: clock, now: now)
        let group = ServiceGroup(configuration: .init(services: [.init(service: pruning)], logger: Self.quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await Self.until { clock.nextDeadline != nil }, "the round at start is done")
            for _ in 1...30 { #expect(await Self.nextRound(clock)) }
            #expect(try journal.events(after: 0, limit: 10).count == 1, "30 days old is kept (keep_events_days: 30)")
            #expect(await Self.nextRound(clock))
            #expect(try journal.events(after: 0, limit: 10).isEmpty, "31 days old is pruned on the 31st daily round")
            #expect(clock.elapsed == .seconds(31 * 86400))
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
    }

    @Test("a bus worker whose progress stamp stops moving is unhealthy once its window has passed on the injected clock; a moving one never is")
    func stuckWorkerOnInjectedClock() {
        var watch = ProgressWatch()
        let start = ContinuousClock.now
        func look(lan: ContinuousClock.Instant?, rtu: ContinuousClock.Instant?, at t: Duration) -> Bool {
            watch.allProgressing([.init(bus: "lan", progress: lan, window: .seconds(10)),
                                  .init(bus: "rtu", progress: rtu, window: .seconds(30))], at: t)
        }
        #expect(!look(lan: nil, rtu: start, at: .zero), "a worker that never made progress is not healthy")
        // lan keeps stamping; rtu stamped once and hangs.
        for s in 0...29 {
            let t = Duration.seconds(s)
            let healthy = look(lan: start + t, rtu: start, at: t)
            #expect(healthy, "healthy at \(s) s: rtu's window is 30 s")
        }
        let stuck = look(lan: start + .seconds(30), rtu: start, at: .seconds(30))
        #expect(!stuck, "rtu stuck for its whole window")
        // rtu moves again: healthy at once; lan then stops, healthy within its 10 s window, not after.
        let moved = look(lan: start + .seconds(31), rtu: start + .seconds(31), at: .seconds(31))
        let within = look(lan: start + .seconds(31), rtu: start + .seconds(32), at: .seconds(40) + .milliseconds(999))
        let after = look(lan: start + .seconds(31), rtu: start + .seconds(41), at: .seconds(41))
        #expect(moved && within && !after, "moved \(moved), within \(within), after \(after)")
    }

    @Test("systemd housekeeping on the injected clock: READY, then WATCHDOG=1 per beat while healthy, withheld once a worker hangs for its window; once the generation ends the watchdog is fed unconditionally until it stops last")
    func housekeepingOnManualClock() async throws {
        let site = try BigSite(name: "housekeeping", devices: 1, zonesPerDevice: 1)
        let config = try SiteConfigLoader().load(file: site.config)
        let notify = try NotifySocket(dir: site.dir)
        let environment = ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"]
        // The daemon's parts and the housekeeping on clocks of their own, moved together: then each
        // round below is exactly one of the housekeeping's beats, whatever the tick is doing.
        let clock = ManualClock(), beats = ManualClock()
        let daemon = try WatchroomDaemon(config: config, logger: Self.quiet, clock: clock)
        let ending = GenerationEnd()
        let housekeeping = SystemdHousekeeping(daemon: daemon, notifier: SystemdNotifier(environment: environment), ending: ending,
                                               clock: beats, logger: Self.quiet, environment: environment)
        let group = await daemon.serviceGroup(first: [.init(service: housekeeping)])
        let pings = { notify.count { $0 == "WATCHDOG=1" } }
        let beat = { () async -> Bool in
            clock.advance(by: .seconds(1))
            return await Self.nextRound(beats)
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await notify.wait(timeout: .seconds(60)) { $0.hasPrefix("READY=1\nSTATUS=1 bus, 1 zone") }, "every bus attempted a cycle: \(notify.all)")
            // Healthy: one ping per beat (1 s: half of WATCHDOG_USEC, at most 1 s) of the manual clock.
            var before = pings()
            #expect(await beat())
            #expect(await Self.until { pings() == before + 1 })
            // A hung worker's progress stops moving: after its 10 s window on the clock, no more pings.
            daemon.monitor.setHung(bus: "lan", true)
            for _ in 1...11 { #expect(await beat()) }
            before = pings()
            for _ in 1...3 { #expect(await beat()) }
            try await Task.sleep(for: .milliseconds(50))
            #expect(pings() == before, "withheld while the worker hangs")
            // The generation ends (a stop or a reload): fed unconditionally while the parts stop.
            ending.end(.stop)
            for n in 1...3 {
                #expect(await beat())
                #expect(await Self.until { pings() >= before + n })
            }
            daemon.monitor.setHung(bus: "lan", false)
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(!FileManager.default.fileExists(atPath: site.controlSocket))
    }

    @Test("the daemon's parts run in one group on a manual clock and stop in order on graceful shutdown, removing the control socket")
    func daemonStopsGracefully() async throws {
        let site = try BigSite(name: "parts-stop", devices: 1, zonesPerDevice: 2)
        let config = try SiteConfigLoader().load(file: site.config)
        let clock = ManualClock()
        let daemon = try WatchroomDaemon(config: config, logger: Self.quiet, clock: clock)
        let group = await daemon.serviceGroup()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await Self.until { FileManager.default.fileExists(atPath: site.controlSocket) })
            #expect(try ControlClient(socketPath: site.controlSocket).request("GET", "/v1/health", timeout: 30).status == 200)
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(!FileManager.default.fileExists(atPath: site.controlSocket))
    }
}
