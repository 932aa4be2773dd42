public import Alarms
public import Foundation
import Journal
public import Logging
public import Polling
public import SiteConfig
public import ServiceLifecycle
import Synchronization

/// The polling pipeline: a point source per bus (Modbus bus workers today) feeding batches of
/// scans into the alarm service, and panel writes going back to the sources. A service: it runs
/// until the group stops it (graceful shutdown or cancellation), then stops the sources and
/// writes the last sensor buckets. The one-second tick is a part of its own (`Ticker`) that
/// wakes this one through `handOutWrites()`.
public final class Monitor: Service, Sendable {
    public let config: SiteConfig
    public let alarms: AlarmService
    private let logger: Logger
    private let workers: [any PointSource]
    private let inbox = ScanInbox()
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let firstCycle = Mutex<Set<String>>([])
    /// Finished once every bus has attempted a cycle (readiness waits on it, never polls for it).
    private let firstCycleSignal: AsyncStream<Void>.Continuation
    private let firstCycleStream: AsyncStream<Void>

    /// `clock` paces retried writes; `now` stamps the pipeline's own wakeups.
    public init(config: SiteConfig, alarms: AlarmService, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
                metrics: SiteMetrics? = nil) {
        self.config = config
        self.alarms = alarms
        self.logger = logger
        self.clock = clock
        self.now = now
        let inbox = self.inbox
        workers = PointSources.make(for: config, meters: { metrics?.meters(for: $0) ?? .unrecorded }) { inbox.put($0) }
        (firstCycleStream, firstCycleSignal) = AsyncStream.makeStream(of: Void.self)
        if config.buses.isEmpty { firstCycleSignal.finish() }
    }

    /// True once every bus has attempted a full poll cycle.
    public var firstCycleDone: Bool { firstCycle.withLock { $0.count } == config.buses.count }

    /// Returns once every bus has attempted a full poll cycle (or the task is cancelled). One waiter.
    public func untilFirstCycle() async {
        for await _ in firstCycleStream {}
    }

    /// Wakes the pipeline to hand out the engine's panel writes (after a tick decided some).
    public func handOutWrites() {
        inbox.put(.cycle(bus: "", time: now(), overrun: false))
    }

    public func busStats() -> [(Bus, BusStats)] { workers.map { ($0.bus, $0.stats) } }

    /// Test hook: blocks one bus worker (the watchdog must notice).
    public func setHung(bus: String, _ hung: Bool) { workers.first { $0.bus.id == bus }?.setHung(hung) }

    public func run() async {
        let requests = config.devices.reduce(0) { $0 + config.plan(for: $1).requests.count }
        logger.notice("watching \(config.siteName): \(Count.of(config.buses.count, "bus", "buses")), \(Count.of(config.devices.count, "device")), \(Count.of(config.zones.count, "zone")), \(Count.of(config.sensors.count, "sensor")), \(Count.of(config.equipment.count, "equipment point")); \(Count.of(requests, "request")) per scan")
        for w in workers { w.start() }
        // The config's parse (its node tree) is over: its pages go back.
        HeapTrim.release()
        await withTaskCancellationOrGracefulShutdownHandler {
            var lastWake = ContinuousClock.now
            for await _ in inbox.wakeups {
                // Batched wake-ups: a saturated bus hands in a scan every few tens of microseconds;
                // waking for each would cost a thread switch per scan. The pipeline wakes at most
                // every `wakeSpacing` (2 ms: nothing a person or a webhook could notice) and takes all.
                let since = ContinuousClock.now - lastWake
                if since < Self.wakeSpacing { try? await Task.sleep(for: Self.wakeSpacing - since) }
                lastWake = ContinuousClock.now
                let batch = inbox.drain()
                if batch.isEmpty { continue }
                for event in batch {
                    switch event {
                    case .link(let bus, let up, let error):
                        if up { logger.notice("bus \(bus): link up") } else {
                            logger.error("bus \(bus): link down: \(error?.description ?? "unknown error"); retrying with backoff")
                        }
                    case .cycle(let bus, _, _):
                        if !bus.isEmpty, firstCycle.withLock({ $0.insert(bus).inserted && $0.count == config.buses.count }) {
                            firstCycleSignal.finish()
                        }
                    case .write(let w, let error):
                        if let error {
                            logger.error("write \(w) failed: \(error)")
                            // Putting an output back to rest (a test relay, a reset) must not be lost: retry.
                            if !w.value { retryLater(w) }
                        } else { logger.notice("wrote \(w)") }
                    case .scan: break
                    }
                }
                await alarms.ingest(batch)
                for w in await alarms.takeWrites() { enqueue(w) }
            }
        } onCancelOrGracefulShutdown: { [inbox] in
            inbox.close()
        }
        // Sources stop together: each leaves within its transaction deadline.
        await withTaskGroup(of: Void.self) { group in for w in workers { group.addTask { await w.stop() } } }
        await alarms.flushSamples()
        await alarms.logFlushed()
        logger.notice("stopped polling")
    }

    /// The shortest time between two wake-ups of the pipeline (see `run()`).
    static let wakeSpacing = Duration.milliseconds(2)

    private func retryLater(_ w: OutputWrite) {
        let worker = workers.first { $0.devices.contains { $0.id == w.device } }
        Task { [clock] in
            try? await clock.sleep(for: .seconds(5))
            worker?.enqueue(w)
        }
    }

    /// Sends a write to the worker that owns the device's bus.
    public func enqueue(_ write: PointWrite) {
        guard let device = config.device(write.ref.device), let worker = workers.first(where: { $0.bus.id == device.bus }) else { return }
        worker.enqueue(OutputWrite(device: device.id, point: write.ref.point, index: write.ref.index, value: write.value))
    }
}
