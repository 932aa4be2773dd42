import Foundation
import Logging
import ServiceLifecycle
import SiteConfig
import UnixSignals

/// What the process's signals mean to one generation of the daemon. Started last, so stopped
/// first.
///
/// - SIGHUP reloads (RELOADING=1): the new config is validated in full first, as check-config
///   would (the host's group and secrets included); a bad one is rejected with its errors while
///   this generation keeps running (READY=1 again). A good one ends the generation: this part
///   returns and the group stops gracefully; `RunMode` starts the next one with it.
/// - SIGTERM and SIGINT are the group's graceful-shutdown signals; this part, the first to be
///   told, says so (the log line, STOPPING=1) before anything else stops. One that came while no
///   group listened (between two generations) stops this generation as soon as it starts.
struct ProcessSignals: Service {
    let config: SiteConfig
    let daemon: WatchroomDaemon
    let notifier: SystemdNotifier
    let ending: GenerationEnd
    let logger: Logger
    /// A SIGTERM or SIGINT the run mode saw while no group listened (a reload switching over).
    let stopSeen: @Sendable () -> UnixSignal?

    private enum Event: Sendable {
        case signal(UnixSignal)
        case shutdown
        case noSignal
    }

    /// How long the group's stop may precede its signal reaching this part's own sequence (both
    /// come from one delivery): real time, whatever clock the daemon runs on.
    static let signalGrace = Duration.milliseconds(250)

    func run() async {
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigterm, .sigint)
        if let sig = stopSeen() {
            announceStop(sig)
            return
        }
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await s in signals { sink.yield(.signal(s)) } }
            group.addTask { if (try? await gracefulShutdown()) != nil { sink.yield(.shutdown) } }
            var stopping = false
            loop: for await event in events {
                switch event {
                case .signal(.sighup):
                    guard !stopping, let fresh = await reload() else { continue }
                    // A stop that came while validating wins over the reload.
                    if Task.isShuttingDownGracefully { announceStop(stopSeen()) } else { ending.end(.reload(fresh)) }
                    break loop
                case .signal(let sig):
                    announceStop(sig)
                    break loop
                case .shutdown:
                    // Stopped by the group: its signal is on its way here (or there was none).
                    stopping = true
                    group.addTask {
                        try? await ContinuousClock().sleep(for: Self.signalGrace)
                        sink.yield(.noSignal)
                    }
                case .noSignal:
                    announceStop(stopSeen())
                    break loop
                }
            }
            group.cancelAll()
        }
    }

    private func announceStop(_ sig: UnixSignal?) {
        ending.end(.stop)
        let by = sig.map { "signal \($0.rawValue): " } ?? ""
        logger.notice("\(by)stopping (journal writes finish, the outbox is kept)")
        notifier.stopping()
    }

    /// The new config when it passes every check; nil when rejected (logged, READY=1 again).
    private func reload() async -> SiteConfig? {
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
            notifier.ready(status: "reload rejected (\(problems.count) errors); \(await daemon.alarms.summary())")
            return nil
        }
        for w in fresh.warnings { logger.warning("\(w.description)") }
        return fresh
    }
}
