import ServiceLifecycle

/// A part that acts every `period` on an injected clock until the group stops it: the one-second
/// tick of the alarm engine, the daily journal pruning, the recorders' retention checks.
///
/// Graceful shutdown ends the wait, never a round in progress: a tick or a prune that has begun
/// finishes (its journal write included) before the part returns.
struct Ticker: Service {
    let name: String
    let period: Duration
    /// Whether the first round runs at start (pruning, retention) or one period later (the tick).
    let atStart: Bool
    let clock: any Clock<Duration>
    let round: @Sendable () async -> Void

    init(_ name: String, every period: Duration, atStart: Bool = false, clock: any Clock<Duration>,
         _ round: @escaping @Sendable () async -> Void) {
        self.name = name
        self.period = period
        self.atStart = atStart
        self.clock = clock
        self.round = round
    }

    func run() async {
        if atStart { await round() }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let clock = clock, period = period
            do { try await cancelWhenGracefulShutdown { try await clock.sleep(for: period) } } catch { return }
            await round()
        }
    }
}

extension Ticker: CustomStringConvertible {
    var description: String { name }
}
