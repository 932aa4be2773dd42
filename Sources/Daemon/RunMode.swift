import Foundation
public import Logging
public import SiteConfig

/// `watchroomd run`: the daemon under systemd (or a terminal).
///
/// READY=1 once the config is loaded, the journal opened and every bus has attempted a poll
/// cycle; STATUS= every few seconds; WATCHDOG=1 only while every bus worker and the engine make
/// progress; SIGHUP reloads (RELOADING=1): the new config is validated in full first and a bad
/// one is rejected with its errors while the old one keeps running; SIGTERM sends STOPPING=1,
/// finishes journal writes and leaves the outbox for the next start.
public enum RunMode {
    public static func run(config initial: SiteConfig, logger: Logger) async -> Int32 {
        let notifier = SystemdNotifier()
        let (signals, trap) = signalStream([SIGINT, SIGTERM, SIGHUP])
        defer { withExtendedLifetime(trap) {} }
        var config = initial
        for w in initial.warnings { logger.warning("\(w.description)") }
        var running: Running
        do { running = try await Running.start(config, logger: logger, notifier: notifier) } catch {
            logger.critical("\(error)")
            return 1
        }
        for await sig in signals {
            if sig != SIGHUP {
                logger.notice("signal \(sig): stopping (journal writes finish, the outbox is kept)")
                notifier.stopping()
                break
            }
            notifier.reloading()
            logger.notice("SIGHUP: reloading \(config.file)")
            let fresh: SiteConfig
            // Validated in full first, as check-config would (the host's group and secrets included):
            // a bad config is rejected with its errors while the old one keeps running.
            let problems: [Diagnostic]
            do {
                fresh = try ConfigCheck.load(file: config.file)
                problems = ConfigCheck.hostProblems(fresh)
            } catch {
                fresh = config
                problems = error.diagnostics
            }
            if !problems.isEmpty {
                for d in problems { logger.error("\(d.description)") }
                logger.error("reload rejected: \(problems.count) error(s) in \(config.file); still running the previous config")
                notifier.ready(status: "reload rejected (\(problems.count) errors); \(await running.daemon.alarms.summary())")
                continue
            }
            for w in fresh.warnings { logger.warning("\(w.description)") }
            // Everything that matters is in the journal: the new pipeline restores it, so alarms of
            // zones that remain keep their state, acknowledgements and notes.
            await running.stop()
            do {
                running = try await Running.start(fresh, logger: logger, notifier: notifier)
                config = fresh
                logger.notice("reloaded: \(fresh.buses.count) buses, \(fresh.devices.count) devices, \(fresh.zones.count) zones")
            } catch {
                logger.critical("the new config could not start (\(error)); going back to the previous one")
                do { running = try await Running.start(config, logger: logger, notifier: notifier) } catch {
                    logger.critical("\(error)")
                    return 1
                }
            }
        }
        await running.stop()
        return 0
    }

    /// One generation of the daemon with its systemd housekeeping.
    struct Running {
        let daemon: WatchroomDaemon
        let main: Task<Void, Never>
        let housekeeping: Task<Void, Never>

        static func start(_ config: SiteConfig, logger: Logger, notifier: SystemdNotifier) async throws -> Running {
            let daemon = try WatchroomDaemon(config: config, logger: logger)
            let main = Task { await daemon.run() }
            // Ready once every bus has attempted a cycle (bounded, so a dead bus cannot hold up boot).
            let deadline = ContinuousClock.now + .seconds(60)
            while !daemon.monitor.firstCycleDone && ContinuousClock.now < deadline && !main.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                notifier.watchdog()  // starting (or reloading) is progress: keep systemd's watchdog fed
            }
            notifier.ready(status: await daemon.alarms.summary())
            let hangBus = ProcessInfo.processInfo.environment["WATCHROOM_TEST_HANG_BUS"]
            let housekeeping = Task {
                let ping = SystemdNotifier.watchdogInterval().map { $0 / 2 } ?? .seconds(5)
                var lastStatus = ""
                var sinceStart = Duration.zero
                while !Task.isCancelled {
                    try? await Task.sleep(for: min(ping, .seconds(1)))
                    sinceStart += min(ping, .seconds(1))
                    // Test hook: hang one bus worker after a few seconds (the watchdog must stop).
                    if let hangBus, sinceStart >= .seconds(2) { daemon.monitor.setHung(bus: hangBus, true) }
                    let status = await daemon.alarms.summary()
                    if status != lastStatus { notifier.status(status); lastStatus = status }
                    if await daemon.isHealthy() { notifier.watchdog() } else if SystemdNotifier.watchdogInterval() != nil {
                        logger.critical("a bus worker or the alarm engine stopped making progress; withholding the watchdog ping")
                    }
                }
            }
            return Running(daemon: daemon, main: main, housekeeping: housekeeping)
        }

        func stop() async {
            housekeeping.cancel()
            main.cancel()
            let pinger = Task {
                while !Task.isCancelled {
                    SystemdNotifier().watchdog()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            await main.value
            pinger.cancel()
        }
    }
}
