public import CoreMetrics
import Modbus

/// What one Modbus request came to, as `watchroom_modbus_requests_total{result}` counts it.
public enum RequestResult: Int, CaseIterable, Sendable {
    case ok, timeout, exception
    /// A reply that is not the answer: bad CRC, bad data, wrong unit, a garbled stream.
    case invalidData
    /// The link refused or dropped the request (connection refused, reset, port unavailable).
    case refused
    /// Anything else (a request past Modbus' limits, an errno libmodbus does not classify).
    case other

    /// The label value (`invalid_data`, not a sentence: label values are matched in PromQL).
    public var label: String {
        switch self {
        case .ok: "ok"
        case .timeout: "timeout"
        case .exception: "exception"
        case .invalidData: "invalid_data"
        case .refused: "refused"
        case .other: "other"
        }
    }

    init(_ kind: ModbusError.Kind) {
        self = switch kind {
        case .timeout: .timeout
        case .exception, .busy, .configuration: .exception
        case .protocolError: .invalidData
        case .connection: .refused
        case .invalidRequest, .other: .other
        }
    }
}

/// The handles one bus worker records into, made once per generation by whoever serves the
/// metrics: the poll loop only records (no label lists, no strings, no registry lookups).
public struct BusMeters: Sendable {
    /// One device's request duration and its requests by result.
    public struct DeviceMeters: Sendable {
        public let duration: CoreMetrics.Timer
        /// Indexed by `RequestResult.rawValue`.
        public let results: [CoreMetrics.Counter]

        public init(duration: CoreMetrics.Timer, results: [CoreMetrics.Counter]) {
            precondition(results.count == RequestResult.allCases.count, "one counter per RequestResult")
            self.duration = duration
            self.results = results
        }

        /// One finished request: its outcome and how long it took.
        @inline(__always)
        public func record(_ result: RequestResult, _ elapsed: Duration) {
            results[result.rawValue].increment()
            duration.record(elapsed)
        }

        /// A request that could not be sent (the link would not connect).
        @inline(__always)
        public func count(_ result: RequestResult) { results[result.rawValue].increment() }

        static let unrecorded = DeviceMeters(
            duration: Timer(label: "", dimensions: [], handler: NOOPMetricsHandler.instance, factory: NOOPMetricsHandler.instance),
            results: RequestResult.allCases.map { _ in
                Counter(label: "", dimensions: [], handler: NOOPMetricsHandler.instance, factory: NOOPMetricsHandler.instance)
            })
    }

    /// Time of one full cycle over the bus's due devices.
    public let cycle: CoreMetrics.Timer
    /// Cycles that took longer than the poll interval.
    public let overruns: CoreMetrics.Counter
    public let devices: [String: DeviceMeters]

    public init(cycle: CoreMetrics.Timer, overruns: CoreMetrics.Counter, devices: [String: DeviceMeters]) {
        self.cycle = cycle
        self.overruns = overruns
        self.devices = devices
    }

    /// A device's handles (the no-op ones for a device nobody made handles for).
    public func device(_ id: String) -> DeviceMeters { devices[id] ?? .unrecorded }

    /// Records nothing: a worker run without a metrics endpoint (tests, benchmarks, no `metrics:`).
    public static let unrecorded = BusMeters(
        cycle: Timer(label: "", dimensions: [], handler: NOOPMetricsHandler.instance, factory: NOOPMetricsHandler.instance),
        overruns: Counter(label: "", dimensions: [], handler: NOOPMetricsHandler.instance, factory: NOOPMetricsHandler.instance),
        devices: [:])
}

extension BusMeters {
    /// One cycle done: its time, and whether it overran the poll interval.
    @inline(__always)
    func cycled(_ elapsed: Duration, overrun: Bool) {
        cycle.record(elapsed)
        if overrun { overruns.increment() }
    }
}

extension CoreMetrics.Timer {
    /// Records a `Duration` (swift-metrics takes nanoseconds).
    @inline(__always)
    public func record(_ elapsed: Duration) {
        recordNanoseconds(elapsed.components.seconds &* 1_000_000_000 &+ elapsed.components.attoseconds / 1_000_000_000)
    }
}
