public import CoreMetrics

/// The counters a delivery lane records into, per target, made once per generation by whoever
/// serves the metrics (`watchroom_notification_deliveries_total`, `..._failures_total`).
public struct DeliveryMeters: Sendable {
    public struct Target: Sendable {
        public let delivered: CoreMetrics.Counter
        /// Attempts that did not deliver (a retry, a refusal, a message that cannot be encoded), per message.
        public let failed: CoreMetrics.Counter
        public init(delivered: CoreMetrics.Counter, failed: CoreMetrics.Counter) {
            self.delivered = delivered
            self.failed = failed
        }
    }
    public let targets: [String: Target]

    public init(targets: [String: Target]) { self.targets = targets }

    func delivered(_ target: String, _ count: Int) { targets[target]?.delivered.increment(by: Int64(count)) }
    func failed(_ target: String, _ count: Int) { targets[target]?.failed.increment(by: Int64(count)) }

    /// Records nothing (no metrics endpoint).
    public static let unrecorded = DeliveryMeters(targets: [:])
}
