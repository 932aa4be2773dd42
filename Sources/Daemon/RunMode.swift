public import Foundation
public import Logging
public import SiteConfig
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `watchroomd run`: the daemon under systemd (or a terminal).
///
/// READY=1 once the config is loaded, the journal opened and every bus has attempted a poll
/// cycle; STATUS= every few seconds; WATCHDOG=1 only while every bus worker and the engine make
/// progress; SIGHUP reloads (RELOADING=1): the new config is validated in full first and a bad
/// one is rejected with its errors while the old one keeps running; SIGTERM sends STOPPING=1,
/// finishes journal writes and leaves the outbox for the next start.
///
/// Each config runs as one generation: one `ServiceGroup` with systemd housekeeping first, the
/// daemon's parts, and `ProcessSignals` last; SIGTERM and SIGINT are the group's graceful-shutdown
/// signals, so the parts stop in reverse order. A good reload ends the generation the same way
/// and the next one starts with the new config.
public enum RunMode {
    public static func run(config initial: SiteConfig, logger: Logger,
                           clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() }) async -> Int32 {
        // Trapped for the whole run, so a signal is never met by its default action (before the first
        // group listens, or while a reload switches generations); a stop seen here ends the next one.
        let trapped = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        let stopSeen = FirstStop()
        return await withTaskGroup(of: Void.self) { watch in
            watch.addTask {
                for await sig in trapped where sig != .sighup { stopSeen.record(sig) }
            }
            let code = await generations(initial, logger: logger, clock: clock, now: now, stopSeen: { stopSeen.signal })
            watch.cancelAll()
            return code
        }
    }

    private static func generations(_ initial: SiteConfig, logger: Logger, clock: any Clock<Duration>, now: @escaping @Sendable () -> Date,
                                    stopSeen: @escaping @Sendable () -> UnixSignal?) async -> Int32 {
        let notifier = SystemdNotifier()
        var config = initial
        // Site time from the first line: the start-up warnings were stamped in the host's zone.
        ConsoleLogHandler.useSiteTime(config.timezone)
        for w in initial.warnings { logger.warning("\(w.description)") }
        // Once per start, not per reload: trust mode is a standing choice of the site.
        if let trust = initial.trustModeWarning { logger.warning("\(trust)") }
        var daemon: WatchroomDaemon
        do { daemon = try WatchroomDaemon(config: config, logger: logger, clock: clock, now: now) } catch {
            logger.critical("\(error)")
            return 1
        }
        while true {
            ConsoleLogHandler.useSiteTime(config.timezone)
            let ending = GenerationEnd()
            let housekeeping = SystemdHousekeeping(daemon: daemon, notifier: notifier, ending: ending, clock: clock, logger: logger)
            let signals = ProcessSignals(config: config, daemon: daemon, notifier: notifier, ending: ending, logger: logger,
                                         stopSeen: stopSeen)
            let group = await daemon.serviceGroup(first: [.part(housekeeping)],
                                                  last: [.part(signals, successTerminationBehavior: .gracefullyShutdownGroup)],
                                                  gracefulShutdownSignals: [.sigterm, .sigint])
            do { try await group.run() } catch {
                logger.critical("the daemon stopped: \(error)")
                return 1
            }
            guard case .reload(let fresh) = ending.reason else { return 0 }
            // Everything that matters is in the journal: the new generation restores it, so alarms of
            // zones that remain keep their state, acknowledgements and notes.
            do {
                daemon = try WatchroomDaemon(config: fresh, logger: logger, clock: clock, now: now)
                config = fresh
                logger.notice("reloaded: \(Count.of(fresh.buses.count, "bus", "buses")), \(Count.of(fresh.devices.count, "device")), \(Count.of(fresh.zones.count, "zone"))")
            } catch {
                logger.critical("the new config could not start (\(error)); going back to the previous one")
                do { daemon = try WatchroomDaemon(config: config, logger: logger, clock: clock, now: now) } catch {
                    logger.critical("\(error)")
                    return 1
                }
            }
        }
    }
}

/// The first SIGTERM or SIGINT of the run.
private final class FirstStop: Sendable {
    private let first = Mutex<UnixSignal?>(nil)
    func record(_ sig: UnixSignal) { first.withLock { $0 = $0 ?? sig } }
    var signal: UnixSignal? { first.withLock { $0 } }
}
