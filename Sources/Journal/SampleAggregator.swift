public import Foundation

/// Sensor history as min/max/mean per minute and per hour: raw values at the poll rate are not kept.
public struct SampleBucket: Sendable, Hashable {
    public enum Span: Sendable, Hashable { case minute, hour }
    public var sensor: String
    public var span: Span
    public var start: Date
    public var min: Double
    public var max: Double
    public var sum: Double
    public var count: Int
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    public init(sensor: String, span: Span, start: Date, min: Double, max: Double, sum: Double, count: Int) {
        self.sensor = sensor
        self.span = span
        self.start = start
        self.min = min
        self.max = max
        self.sum = sum
        self.count = count
    }
}

/// Folds sensor values into per-minute buckets; a bucket is handed out (as a minute bucket and
/// as its contribution to the hour) once a value from a later minute arrives, or on `flush`.
public struct SampleAggregator: Sendable {
    private var open: [String: SampleBucket] = [:]

    public init() {}

    public mutating func add(sensor: String, value: Double, at time: Date) -> [SampleBucket] {
        let start = Date(timeIntervalSince1970: (time.timeIntervalSince1970 / 60).rounded(.down) * 60)
        if var b = open[sensor], b.start == start {
            b.min = Swift.min(b.min, value)
            b.max = Swift.max(b.max, value)
            b.sum += value
            b.count += 1
            open[sensor] = b
            return []
        }
        let finished = open[sensor]
        open[sensor] = SampleBucket(sensor: sensor, span: .minute, start: start, min: value, max: value, sum: value, count: 1)
        return finished.map(Self.withHour) ?? []
    }

    /// Hands out every open bucket (at shutdown).
    public mutating func flush() -> [SampleBucket] {
        defer { open.removeAll() }
        return open.values.flatMap(Self.withHour)
    }

    static func withHour(_ minute: SampleBucket) -> [SampleBucket] {
        var hour = minute
        hour.span = .hour
        hour.start = Date(timeIntervalSince1970: (minute.start.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        return [minute, hour]
    }
}
