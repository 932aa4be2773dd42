public import Foundation

/// A step of the wall clock: what it would read had nobody set it, and what it reads now.
public struct ClockStep: Sendable, Hashable {
    public var from: Date
    public var to: Date
    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }
    /// Seconds the clock was moved (negative when set back).
    public var delta: TimeInterval { to.timeIntervalSince(from) }
}

/// Notices the wall clock being set (by hand, by NTP stepping after a cold start, by a dead RTC
/// battery) by comparing it with the monotonic clock on every tick. Pure: both readings come in.
///
/// Each reading is compared with the previous one, not with the first, so NTP's slewing (well
/// under a millisecond per second) never adds up to a false step.
public struct ClockWatch: Sendable {
    /// Differences up to this many seconds are jitter, not a step.
    public var tolerance: TimeInterval
    private var last: Reading?

    private struct Reading: Sendable {
        let wall: Date
        let monotonic: ContinuousClock.Instant
    }

    public init(tolerance: TimeInterval = 2) { self.tolerance = tolerance }

    /// Takes the two clocks read at one moment; returns the step when the wall clock moved more
    /// (or less) than the monotonic clock since the last reading, beyond the tolerance.
    public mutating func observe(wall: Date, monotonic: ContinuousClock.Instant) -> ClockStep? {
        defer { last = Reading(wall: wall, monotonic: monotonic) }
        guard let last else { return nil }
        let elapsed = monotonic - last.monotonic
        let expected = last.wall.addingTimeInterval(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        guard abs(wall.timeIntervalSince(expected)) > tolerance else { return nil }
        return ClockStep(from: expected, to: wall)
    }
}
