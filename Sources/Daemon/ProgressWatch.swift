/// The watchdog's judgement of the bus workers, on the daemon's injected clock.
///
/// Each worker stamps its progress on its own thread with the continuous clock; what counts here
/// is whether the stamp moves. One that has not moved for its bus's window (seen at `t` on the
/// injected clock) means the worker is stuck. Pure: the caller says what it sees and when.
struct ProgressWatch: Sendable {
    struct Stamp: Sendable {
        let bus: String
        /// The worker's last progress, nil before its first.
        let progress: ContinuousClock.Instant?
        /// How long without progress is still healthy for this bus.
        let window: Duration
    }

    private var moved: [String: (progress: ContinuousClock.Instant, at: Duration)] = [:]

    /// Whether every bus's worker made progress within its window, looking at `stamps` at `t`.
    mutating func allProgressing(_ stamps: [Stamp], at t: Duration) -> Bool {
        var healthy = true
        for s in stamps {
            guard let progress = s.progress else {
                healthy = false
                continue
            }
            if moved[s.bus]?.progress != progress { moved[s.bus] = (progress, t) }
            if let since = moved[s.bus]?.at, t - since >= s.window { healthy = false }
        }
        return healthy
    }
}
