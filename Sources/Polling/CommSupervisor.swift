/// Tracks one device's (or one link's) run of failures: when it becomes comm-lost, when it
/// recovers, and when to try it again. Pure: the caller passes the time.
///
/// The first `lossAfter` failures are retried at the normal poll rate, so comm loss is reported
/// after N polls; after that retries back off exponentially (interval x 2, x 4, ... up to
/// `maxBackoff`), so a dead device costs its bus at most one timeout per retry.
public struct CommSupervisor: Sendable {
    public enum State: String, Sendable { case unknown, ok, lost }
    public enum Transition: Sendable, Equatable { case lost, restored }

    public let lossAfter: Int
    public let interval: Duration
    public let maxBackoff: Duration
    public private(set) var state: State = .unknown
    public private(set) var consecutiveFailures = 0
    public private(set) var nextAttempt: ContinuousClock.Instant?

    public init(lossAfter: Int, interval: Duration, maxBackoff: Duration) {
        self.lossAfter = lossAfter
        self.interval = interval
        self.maxBackoff = maxBackoff
    }

    public func isDue(at now: ContinuousClock.Instant) -> Bool { nextAttempt.map { now >= $0 } ?? true }

    public mutating func recordSuccess() -> Transition? {
        let was = state
        consecutiveFailures = 0
        nextAttempt = nil
        state = .ok
        return was == .lost ? .restored : nil
    }

    public mutating func recordFailure(at now: ContinuousClock.Instant) -> Transition? {
        consecutiveFailures += 1
        if consecutiveFailures >= lossAfter {
            nextAttempt = now + backoff
        }
        guard consecutiveFailures >= lossAfter, state != .lost else { return nil }
        state = .lost
        return .lost
    }

    /// The wait before the next retry once the device is lost.
    public var backoff: Duration {
        let doublings = min(max(consecutiveFailures - lossAfter + 1, 0), 20)
        let wait = interval * (1 << doublings)
        return min(wait, maxBackoff)
    }
}
