public import Foundation
import GRDB

/// A notification to store in the outbox, encoded by the notification layer.
public struct OutboxInsert: Sendable {
    public var target: String
    public var body: Data
    public var createdAt: Date
    public init(target: String, body: Data, createdAt: Date) {
        self.target = target
        self.body = body
        self.createdAt = createdAt
    }
}

/// An outbox row as stored.
public struct OutboxRow: Sendable, Hashable {
    public var id: Int64
    public var target: String
    public var state: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
    public var body: Data
}

extension Journal {
    static func outboxRow(_ row: Row) -> OutboxRow {
        let body: String = row["body"]
        return OutboxRow(id: row["id"], target: row["target"], state: row["state"], attempts: row["attempts"],
                         nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: row["last_error"],
                         deliveredAt: (row["delivered_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                         createdAt: Date(timeIntervalSince1970: row["created_at"]), body: Data(body.utf8))
    }

    /// A target's pending rows in order. Delivery is in order per target, so callers send from the head.
    public func pendingOutbox(target: String, limit: Int = 500) throws -> [OutboxRow] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE target = ? AND state = 'pending' ORDER BY id LIMIT ?",
                             arguments: [target, limit]).map(Self.outboxRow)
        }
    }

    /// The same, read off the cooperative pool (GRDB's reader).
    public func pendingOutboxAsync(target: String, limit: Int = 500) async throws -> [OutboxRow] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE target = ? AND state = 'pending' ORDER BY id LIMIT ?",
                             arguments: [target, limit]).map(Self.outboxRow)
        }
    }

    /// Rows for `watchroomctl notifications`, newest first.
    public func outbox(states: [String]? = nil, limit: Int = 200) throws -> [OutboxRow] {
        try outbox(states: states, before: nil, limit: limit)
    }

    public func outboxCounts() throws -> [String: Int] {
        try db.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") { out[row["state"]] = row["n"] }
            return out
        }
    }

    public func markDelivered(_ ids: [Int64], at: Date) async throws {
        try await db.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                               arguments: [at.timeIntervalSince1970, id])
            }
        }
    }

    public func markRetry(_ ids: [Int64], nextAttempt: Date, error: String) async throws {
        try await db.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                               arguments: [nextAttempt.timeIntervalSince1970, error, id])
            }
        }
    }

    public func markDead(_ ids: [Int64], error: String) async throws {
        try await db.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?", arguments: [error, id])
            }
        }
    }

    /// Puts a dead letter back in line; returns its target, or nil when there is no such dead row.
    public func requeue(_ id: Int64, at: Date) async throws -> String? {
        try await db.write { db in
            guard let target = try String.fetchOne(db, sql: "SELECT target FROM outbox WHERE id = ? AND state = 'dead'", arguments: [id]) else { return nil }
            try db.execute(sql: "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL WHERE id = ?",
                           arguments: [at.timeIntervalSince1970, id])
            return target
        }
    }
}
