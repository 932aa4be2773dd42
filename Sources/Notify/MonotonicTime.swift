/// Time as the delivery loops measure it: durations since the service started, on an injected clock.
///
/// Group windows, rate windows, backoff and lateness all run on this, so a step of the wall clock
/// (NTP, an operator's `date -s`) never delays or hurries a delivery; wall time only stamps the journal.
struct MonotonicTime: Sendable {
    /// How long since the service started.
    let now: @Sendable () -> Duration
    /// Sleeps for a duration on the clock; throws when the task is cancelled.
    let sleep: @Sendable (Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
    }
}

extension Duration {
    /// `seconds` as a duration, never trapping: nan and negatives are zero, anything above `limit`
    /// (infinity, 1e308) is `limit`. A config number reaches here from code and from YAML alike.
    static func clamped(seconds: Double, to limit: Duration) -> Duration {
        guard !seconds.isNaN, seconds > 0 else { return .zero }
        guard seconds < limit.seconds else { return limit }
        return .microseconds(Int64((seconds * 1_000_000).rounded()))
    }

    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Double {
    /// The value within `range`, nan being the lower bound.
    func clamped(to range: ClosedRange<Double>) -> Double {
        isNaN ? range.lowerBound : Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
