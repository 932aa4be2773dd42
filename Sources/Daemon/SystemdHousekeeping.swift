import Foundation
import Logging
import ServiceLifecycle

/// systemd's view of one generation of the daemon: READY=1 once every bus has attempted a poll
/// cycle (at most 60 s, so a dead bus cannot hold up boot), STATUS= when the summary changes,
/// WATCHDOG=1 only while every bus worker and the engine make progress.
///
/// Started first and so stopped last: once the generation is ending (a stop or a reload), the
/// watchdog is fed unconditionally while the other parts stop, as starting is fed too. All its
/// waits are on the injected clock.
struct SystemdHousekeeping: Service {
    let daemon: WatchroomDaemon
    let notifier: SystemdNotifier
    let ending: GenerationEnd
    let clock: any Clock<Duration>
    let logger: Logger
    var environment: [String: String] = ProcessInfo.processInfo.environment

    func run() async {
        let watchdog = SystemdNotifier.watchdogInterval(environment: environment)
        let beat = min(watchdog.map { $0 / 2 } ?? .seconds(5), .seconds(1))
        await starting(beat: beat)
        if !ending.isEnding && !Task.isShuttingDownGracefully {
            notifier.ready(status: await daemon.alarms.summary())
            await running(beat: beat, watchdog: watchdog != nil)
        }
        // Stopping (or reloading): every other part is on its way out; this one goes last.
        repeat { notifier.watchdog() } while await pause(.seconds(1))
    }

    /// Until every bus has attempted a cycle (or 60 s), feeding the watchdog: starting is progress.
    private func starting(beat: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await daemon.monitor.untilFirstCycle() }
            group.addTask {
                var waited = Duration.zero
                while waited <= .seconds(60) && !ending.isEnding {
                    notifier.watchdog()
                    waited += beat
                    guard await pause(beat) else { return }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func running(beat: Duration, watchdog: Bool) async {
        // Test hook: hang one bus worker after a few seconds (the watchdog must stop).
        let hangBus = environment["WATCHROOM_TEST_HANG_BUS"]
        var lastStatus = ""
        var sinceReady = Duration.zero
        while !ending.isEnding, await pause(beat), !ending.isEnding {
            sinceReady += beat
            if let hangBus, sinceReady >= .seconds(2) { daemon.monitor.setHung(bus: hangBus, true) }
            let status = await daemon.alarms.summary()
            if status != lastStatus {
                notifier.status(status)
                lastStatus = status
            }
            if await daemon.isHealthy() { notifier.watchdog() } else if watchdog {
                logger.critical("a bus worker or the alarm engine stopped making progress; withholding the watchdog ping")
            }
        }
    }

    /// Sleeps on the clock; false once this part is told to stop (or cancelled).
    private func pause(_ d: Duration) async -> Bool {
        let clock = clock
        return (try? await cancelWhenGracefulShutdown { try await clock.sleep(for: d) }) != nil
    }
}
