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
    /// Each target's backlog, in one read. Per target and state, so each count is a range of the
    /// `outbox_due` index, never a scan of the delivered rows.
    public func outboxBacklog(targets: [String]) throws -> [String: OutboxBacklog] {
        try db.read { db in
            var out: [String: OutboxBacklog] = [:]
            for target in targets {
                var b = OutboxBacklog()
                if let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE target = ? AND state = 'pending'",
                                              arguments: [target]) {
                    b.pending = row["n"]
                    b.oldestPending = (row["oldest"] as Double?).map(Date.init(timeIntervalSince1970:))
                }
                b.dead = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE target = ? AND state = 'dead'", arguments: [target]) ?? 0
                out[target] = b
            }
            return out
        }
    }
}
