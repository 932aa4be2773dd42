import Foundation
import Journal
import Logging

extension Ticker {
    /// Journal pruning: at start and then daily on `clock`, deleting what is older than
    /// `keep_events_days` by the wall time `now` says.
    static func journalPruning(_ journal: Journal, keepEventsDays: Int, logger: Logger,
                               clock: any Clock<Duration>, now: @escaping @Sendable () -> Date) -> Ticker {
        Ticker("journal pruning", every: .seconds(86400), atStart: true, clock: clock) {
            do {
                let n = try await journal.prune(keepEventsDays: keepEventsDays, now: now())
                if n > 0 { logger.notice("journal pruned: \(n) rows older than \(keepEventsDays) days") }
            } catch { logger.error("journal pruning failed: \(error)") }
        }
    }
}
