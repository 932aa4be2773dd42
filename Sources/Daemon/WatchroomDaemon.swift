import Alarms
import Foundation
import Journal
import Polling
import Records
public import Logging
import Notify
public import SiteConfig

/// The daemon's parts wired together: journal, alarm service, pollers and the control API.
public final class WatchroomDaemon: Sendable {
    public let config: SiteConfig
    public let alarms: AlarmService
    public let monitor: Monitor
    let control: ControlServer
    let delivery: DeliveryService
    let retention: RetentionMonitor
    private let logger: Logger

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(config: SiteConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        do {
            try PrivateDirectory.create(config.stateDir, mode: 0o750)
        } catch {
            throw StartError(description: "cannot create state_dir \(config.stateDir): \(error)")
        }
        let path = URL(fileURLWithPath: config.stateDir).appendingPathComponent("journal.sqlite").path
        let journal: Journal
        do { journal = try Journal(path: path) } catch {
            throw StartError(description: "cannot open the journal \(path): \(error)")
        }
        let alarms = try AlarmService(config: config, journal: journal, logger: logger)
        self.alarms = alarms
        do {
            delivery = try DeliveryService(config: config, journal: journal, logger: logger) { target, failing, reason in
                await alarms.deliveryFailure(target: target, failing: failing, reason: reason)
            }
        } catch {
            throw StartError(description: "\(error)")
        }
        monitor = Monitor(config: config, alarms: alarms, logger: logger)
        let duty = DutyService(config: config, journal: journal, alarms: alarms)
        retention = RetentionMonitor(config: config, journal: journal, alarms: alarms, disk: StatvfsDiskSpace(), now: { Date() })
        control = ControlServer(socketPath: config.controlSocket, group: config.controlGroup, alarms: alarms, monitor: monitor,
                                duty: duty, logger: logger)
        try control.prepareSocket()
    }

    /// Whether every bus worker and the alarm engine made progress recently: the watchdog is fed
    /// only then, so a hung worker gets the daemon restarted by systemd.
    public func isHealthy(now: ContinuousClock.Instant = .now) async -> Bool {
        for (bus, stats) in monitor.busStats() {
            let devices = Double(config.devices(on: bus.id).count)
            let cycle = seconds(bus.pollInterval) + seconds(bus.timeout) * max(1, devices)
            let window = Duration.seconds(max(10, 3 * cycle))
            guard let last = stats.lastProgress, now - last < window else { return false }
        }
        return Date().timeIntervalSince(await alarms.lastProgress) < 10
    }

    private func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// Runs until cancelled: polling, the control API and daily journal pruning.
    public func run() async {
        let prune = Task { [alarms, config, logger] in
            while !Task.isCancelled {
                do {
                    let n = try await alarms.journal.prune(keepEventsDays: config.keepEventsDays, now: Date())
                    if n > 0 { logger.notice("journal pruned: \(n) rows older than \(config.keepEventsDays) days") }
                } catch { logger.error("journal pruning failed: \(error)") }
                try? await Task.sleep(for: .seconds(86400))
            }
        }
        let stopAPI = ShutdownTrigger()
        let api = Task { [control, logger] in
            do { try await control.run(until: stopAPI) } catch is CancellationError {} catch {
                logger.critical("control API stopped: \(error)")
            }
        }
        await alarms.attach(delivery)
        // While the journal cannot hold outbox rows, notifications go out from the delivery service's memory.
        await alarms.sendFromMemory { [delivery] in delivery.deliverFromMemory($0) }
        await alarms.reconcileWithConfig()
        let sending = Task { [delivery] in await delivery.run() }
        let checkingRecorders = Task { [retention] in await retention.run() }
        await monitor.run()
        checkingRecorders.cancel()
        sending.cancel()
        await sending.value
        await alarms.finishWatchers()
        await stopAPI.fire()
        prune.cancel()
        _ = await api.value
        unlink(config.controlSocket)
    }
}
