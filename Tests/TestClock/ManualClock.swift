import Synchronization

/// A clock that moves only when a test says so: the delivery service's waits (group and rate
/// windows, backoff, lateness) and the daemon's timed parts (tick, pruning, retention checks,
/// housekeeping) then take no real time. Shared by the test targets that drive injected time.
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now = Duration.zero
        var sleepers: [UInt64: Sleeper] = [:]
        var lastID: UInt64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    public var now: Instant { Instant(offset: state.withLock { $0.now }) }
    public var minimumResolution: Duration { .zero }

    /// The time since the clock was made.
    public var elapsed: Duration { state.withLock { $0.now } }

    /// The earliest deadline anyone sleeps until, nil when nobody sleeps.
    public var nextDeadline: Duration? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { s -> UInt64 in
            s.lastID += 1
            return s.lastID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let result = state.withLock { s -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline.offset <= s.now { return .success(()) }
                    s.sleepers[id] = Sleeper(deadline: deadline.offset, continuation: c)
                    return nil
                }
                if let result { c.resume(with: result) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time on by `d`, waking every sleeper whose deadline has come.
    public func advance(by d: Duration) { advance(to: elapsed + d) }

    public func advance(to t: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = max(s.now, t)
            let due = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in due.keys { s.sleepers[id] = nil }
            return Array(due.values)
        }
        for s in due { s.continuation.resume() }
    }
}

/// Runs time forward on `clock`, one sleeper's deadline at a time, until `condition` holds; false
/// when it did not within `timeout` of real time (or `limit` of clock time).
public func drive(_ clock: ManualClock, timeout: Duration = .seconds(30), limit: Duration = .seconds(7200),
           until condition: () async throws -> Bool) async rethrows -> Bool {
    let real = ContinuousClock()
    let deadline = real.now.advanced(by: timeout)
    while real.now < deadline {
        if try await condition() { return true }
        // Let the service reach its next wait before moving time on.
        try? await Task.sleep(for: .milliseconds(5))
        if let next = clock.nextDeadline, next <= limit { clock.advance(to: next) }
    }
    return try await condition()
}

/// Lets `d` pass on `clock`, waking the sleepers on the way in order, in steps of at most `step`
/// (a request in flight meanwhile takes at most that long on the clock: 100 ms is well within the
/// rate limiter's margin).
public func pass(_ clock: ManualClock, _ d: Duration, step: Duration = .milliseconds(100)) async {
    let end = clock.elapsed + d
    while clock.elapsed < end {
        try? await Task.sleep(for: .milliseconds(5))
        clock.advance(to: min(end, clock.elapsed + step, clock.nextDeadline ?? end))
    }
}

extension Duration {
    /// The duration in seconds, for messages and comparisons in tests.
    public var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
