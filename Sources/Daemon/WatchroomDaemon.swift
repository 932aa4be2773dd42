import Alarms
public import Foundation
import Journal
import Polling
import Records
public import Logging
import Notify
public import ServiceLifecycle
public import SiteConfig
import Synchronization
public import UnixSignals

/// The daemon's parts wired together: journal, alarm service, pollers, delivery and the control
/// API, each long-running part a `Service` run in one `ServiceGroup` (`serviceGroup`).
///
/// Time comes from here: `clock` for every sleep and interval (tick, pruning, retention checks,
/// delivery pacing, systemd housekeeping), `now` for wall time (journal stamps, footage ages, the
/// engine's progress). Tests pass a manual clock and their own `now`.
public final class WatchroomDaemon: Sendable {
    public let config: SiteConfig
    public let alarms: AlarmService
    public let monitor: Monitor
    let control: ControlServer
    let delivery: DeliveryService
    let retention: RetentionMonitor
    /// The generation's metrics when `metrics:` is configured; `metrics?.uplink` is where the
    /// uplink publishes its backlog and last confirmed seq.
    public let metrics: SiteMetrics?
    /// The operators' web console, when the config has `board:`.
    let board: BoardServer?
    /// The MQTT uplink to a central station (`uplink:`); nil when the config has none.
    public let uplink: UplinkService?
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    /// Time since start on `clock`.
    private let elapsed: @Sendable () -> Duration
    private let progress = Mutex(ProgressWatch())
    private let logger: Logger

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(config: SiteConfig, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.config = config
        self.logger = logger
        self.clock = clock
        self.now = now
        elapsed = Self.elapsed(on: clock)
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
        let metrics = config.metrics.map { _ in SiteMetrics(config: config) }
        self.metrics = metrics
        let alarms = try AlarmService(config: config, journal: journal, logger: logger, now: now, commitDuration: metrics?.commitDuration)
        self.alarms = alarms
        do {
            delivery = try DeliveryService(config: config, journal: journal, logger: logger, onFailure: { target, failing, reason in
                await alarms.deliveryFailure(target: target, failing: failing, reason: reason)
            }, clock: clock, now: now, meters: metrics?.delivery ?? .unrecorded)
        } catch {
            throw StartError(description: "\(error)")
        }
        monitor = Monitor(config: config, alarms: alarms, logger: logger, clock: clock, now: now, metrics: metrics)
        let duty = DutyService(config: config, journal: journal, alarms: alarms, now: now)
        retention = RetentionMonitor(config: config, journal: journal, alarms: alarms, disk: StatvfsDiskSpace(), now: now)
        uplink = config.uplink.map { UplinkService(settings: $0, journal: journal, bus: alarms.bus, logger: logger, clock: clock, now: now) }
        control = ControlServer(socketPath: config.controlSocket, group: config.controlGroup, alarms: alarms, monitor: monitor,
                                duty: duty, logger: logger, uplink: uplink)
        let monitor = monitor
        board = config.board.map { BoardServer.make($0, config: config, alarms: alarms, duty: duty, writes: monitor, logger: logger, now: now) }
        try control.prepareSocket()
    }

    /// Whether every bus worker and the alarm engine made progress recently: the watchdog is fed
    /// only then, so a hung worker gets the daemon restarted by systemd. Judged on the injected
    /// clock (a worker's progress stamp that has not moved for its window) and `now` (the
    /// engine's last step).
    public func isHealthy() async -> Bool {
        let stamps = monitor.busStats().map { bus, stats in
            let devices = Double(config.devices(on: bus.id).count)
            let cycle = seconds(bus.pollInterval) + seconds(bus.timeout) * max(1, devices)
            return ProgressWatch.Stamp(bus: bus.id, progress: stats.lastProgress, window: .seconds(max(10, 3 * cycle)))
        }
        let t = elapsed()
        guard progress.withLock({ $0.allProgressing(stamps, at: t) }) else { return false }
        return now().timeIntervalSince(await alarms.lastProgress) < 10
    }

    private static func elapsed(on clock: some Clock<Duration>) -> @Sendable () -> Duration {
        let origin = clock.now
        return { origin.duration(to: clock.now) }
    }

    private func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// Readies the pipeline (delivery attached, what the restore implies committed) and returns
    /// the daemon's parts in one group: `first` start before them and stop after them (systemd
    /// housekeeping), `last` start after them and stop first (the signals).
    ///
    /// Parts stop in reverse start order, each after the one before it has returned: the control
    /// API (watch streams end, no new requests, running ones are answered), the tick, the uplink
    /// (cursor saved, `offline` said), the polling
    /// pipeline (sources stop, its journal writes finish), retention checks, delivery (cancelled;
    /// the outbox is kept for the next start), journal pruning.
    public func serviceGroup(first: [ServiceGroupConfiguration.ServiceConfiguration] = [],
                             last: [ServiceGroupConfiguration.ServiceConfiguration] = [],
                             gracefulShutdownSignals: [UnixSignal] = []) async -> ServiceGroup {
        await alarms.attach(delivery)
        // While the journal cannot hold outbox rows, notifications go out from the delivery service's memory.
        await alarms.sendFromMemory { [delivery] in delivery.deliverFromMemory($0) }
        await alarms.reconcileWithConfig()
        return ServiceGroup(configuration: .init(services: first + parts() + last, gracefulShutdownSignals: gracefulShutdownSignals,
                                                 logger: logger))
    }

    /// The daemon's own parts, in start order.
    func parts() -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let pruning = Ticker.journalPruning(alarms.journal, keepEventsDays: config.keepEventsDays, logger: logger, clock: clock, now: now)
        let tick = Ticker("tick", every: .seconds(1), clock: clock) { [alarms, monitor] in
            await alarms.tick()
            monitor.handOutWrites()
        }
        var services: [any Service] = [pruning, DeliveryLanes(delivery: delivery)]
        if let checks = retention.service(clock: clock) { services.append(checks) }
        services.append(monitor)
        // After the pipeline, before the control API: it stops before the pipeline does (what
        // is committed then goes out at the next start, from the cursor).
        if let uplink { services.append(uplink) }
        services += [tick, control]
        if let settings = config.metrics, let metrics {
            services.append(MetricsService(settings: settings, metrics: metrics, alarms: alarms, healthy: { await self.isHealthy() },
                                           uplink: uplink, logger: logger, now: now))
        }
        if let board { services.append(board) }
        return services.map { .part($0) }
    }
}

/// The delivery lanes as one part: cancelled when the group stops them (a message in flight is
/// sent again at the next start: the outbox is kept).
struct DeliveryLanes: Service {
    let delivery: DeliveryService

    func run() async {
        let delivery = delivery
        await cancelWhenGracefulShutdown { await delivery.run() }
        // Without targets there is nothing to send, but the part stays until the group stops.
        try? await gracefulShutdown()
    }
}

extension ControlServer: Service {}
