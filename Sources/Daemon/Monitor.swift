public import Alarms
import Foundation
public import Logging
import Modbus
public import Polling
public import SiteConfig
import Synchronization

/// The polling pipeline: a worker per bus feeding one stream of scans into the state tracker,
/// each change written to the log. Runs until its task is cancelled.
public final class Monitor: Sendable {
    public let config: SiteConfig
    private let logger: Logger
    private let workers: [BusWorker]
    private let stream: AsyncStream<PollEvent>
    private let continuation: AsyncStream<PollEvent>.Continuation
    private let firstCycle = Mutex<Set<String>>([])
    /// Every change, for callers that want more than the log (tests, the demo's summary).
    public let changes: AsyncStream<StateChange>
    private let changeSink: AsyncStream<StateChange>.Continuation

    public init(config: SiteConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: PollEvent.self, bufferingPolicy: .unbounded)
        (changes, changeSink) = AsyncStream.makeStream(of: StateChange.self, bufferingPolicy: .bufferingNewest(10_000))
        let sink = continuation
        workers = config.buses.map { bus in
            let devices = config.devices(on: bus.id)
            let plans = Dictionary(uniqueKeysWithValues: devices.map { ($0.id, config.plan(for: $0)) })
            return BusWorker(bus: bus, devices: devices, plans: plans) { sink.yield($0) }
        }
    }

    /// True once every bus has attempted a full poll cycle.
    public var firstCycleDone: Bool { firstCycle.withLock { $0.count } == config.buses.count }

    public func busStats() -> [String: BusStats] {
        Dictionary(uniqueKeysWithValues: workers.map { ($0.bus.id, $0.stats) })
    }

    public func run() async {
        let requests = config.devices.reduce(0) { $0 + config.plan(for: $1).requests.count }
        logger.notice("watching \(config.siteName): \(config.buses.count) buses, \(config.devices.count) devices, \(config.zones.count) zones, \(config.sensors.count) sensors, \(config.equipment.count) equipment points; \(requests) requests per scan")
        for w in workers { w.start() }
        var tracker = StateTracker(config: config)
        await withTaskCancellationHandler {
            for await event in stream {
                switch event {
                case .scan(let scan):
                    for change in tracker.apply(scan) {
                        changeSink.yield(change)
                        if let (level, text) = ChangeLog.entry(change, site: config) { logger.log(level: level, "\(text)") }
                    }
                case .link(let bus, let up, let error):
                    if up { logger.notice("bus \(bus): link up") } else {
                        logger.error("bus \(bus): link down: \(error?.description ?? "unknown error"); retrying with backoff")
                    }
                case .cycle(let bus, _, _):
                    firstCycle.withLock { _ = $0.insert(bus) }
                }
            }
        } onCancel: {
            continuation.finish()
        }
        for w in workers { w.stop() }
        changeSink.finish()
        logger.notice("stopped polling")
    }
}
