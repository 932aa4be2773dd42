import Synchronization
import Testing

/// A clock that moves only when a test says so: the daemon's timed parts (tick, pruning,
/// retention checks, housekeeping) then take no real time. The same idea as NotifyTests' clock,
/// kept here so the test targets stay independent.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
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

    var now: Instant { Instant(offset: state.withLock { $0.now }) }
    var minimumResolution: Duration { .zero }

    /// The time since the clock was made.
    var elapsed: Duration { state.withLock { $0.now } }

    /// The earliest deadline anyone sleeps until, nil when nobody sleeps.
    var nextDeadline: Duration? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
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
    func advance(by d: Duration) { advance(to: elapsed + d) }

    func advance(to t: Duration) {
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
func drive(_ clock: ManualClock, timeout: Duration = .seconds(30), limit: Duration = .seconds(7200),
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
