public import SiteConfig

/// Where point values come from: one source per bus. The Modbus `BusWorker` is one; an MQTT
/// subscription, an SNMP poller or a DC-09 receiver would be others. A source reports on its
/// own thread through the sink it was made with (scans, link changes, writes, cycles) and never
/// blocks its caller; the daemon knows sources only through this protocol.
public protocol PointSource: AnyObject, Sendable {
    /// The bus (or channel) this source serves.
    var bus: Bus { get }
    /// The devices it reports on.
    var devices: [Device] { get }
    /// Counters for status, the watchdog and benchmarks.
    var stats: BusStats { get }
    /// Starts reporting.
    func start()
    /// Stops, returning once the source has let go of its link (without blocking a thread of the pool).
    func stop() async
    /// Queues a write to an output point (a panel reset, a test relay); its outcome comes back as `.write`.
    func enqueue(_ write: OutputWrite)
    /// Test hook: while set the source makes no progress (the watchdog must notice).
    func setHung(_ hung: Bool)
}

/// Makes the sources for a site's buses.
public enum PointSources {
    /// One source per bus of the config, each reporting to `sink`.
    /// `meters` gives each bus its metrics handles (none by default).
    public static func make(for config: SiteConfig, meters: (Bus) -> BusMeters = { _ in .unrecorded },
                            sink: @escaping @Sendable (PollEvent) -> Void) -> [any PointSource] {
        config.buses.map { bus in
            let devices = config.devices(on: bus.id)
            // One case per kind of source: the bus's config says which reads it.
            switch bus.source {
            case .modbus:
                let plans = Dictionary(uniqueKeysWithValues: devices.map { ($0.id, config.plan(for: $0)) })
                return BusWorker(bus: bus, devices: devices, plans: plans, meters: meters(bus), sink: sink)
            }
        }
    }
}
