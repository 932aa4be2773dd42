public import Foundation
import GRDB

/// What waits in one target's outbox: for metrics and alert rules (a notification stuck).
public struct OutboxBacklog: Sendable, Hashable {
    public var pending = 0
    /// When the oldest pending message was queued; nil when none is pending.
    public var oldestPending: Date?
    /// Dead letters kept for `watchroomctl notifications retry`.
    public var dead = 0
    public init() {}
}

extension Journal {
    /// Each target's backlog, in one read (targets with nothing queued or dead are absent).
    public func outboxBacklog() throws -> [String: OutboxBacklog] {
        try db.read { db in
            var out: [String: OutboxBacklog] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT target, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
                WHERE state IN ('pending', 'dead') GROUP BY target, state
                """)
            for row in rows {
                let target: String = row["target"], state: String = row["state"], n: Int = row["n"]
                if state == "pending" {
                    out[target, default: OutboxBacklog()].pending = n
                    out[target, default: OutboxBacklog()].oldestPending = (row["oldest"] as Double?).map(Date.init(timeIntervalSince1970:))
                } else {
                    out[target, default: OutboxBacklog()].dead = n
                }
            }
            return out
        }
    }
}
