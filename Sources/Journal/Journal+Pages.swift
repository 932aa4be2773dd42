public import Alarms
import Foundation
import GRDB

/// Pages of the long lists the control API serves: it never answers with a whole table.
extension Journal {
    /// Alarms, newest first, with ids below `before` (all when nil): history and open ones alike.
    public func alarms(before: Int?, limit: Int) throws -> [Alarm] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM alarms WHERE id < ? ORDER BY id DESC LIMIT ?",
                                arguments: [before ?? Int.max, limit])
                .map { try Self.decoder.decode(Alarm.self, from: Data($0.utf8)) }
        }
    }

    /// Outbox rows, newest first, with ids below `before` (all when nil), of `states` (any when nil).
    public func outbox(states: [String]?, before: Int64?, limit: Int) throws -> [OutboxRow] {
        try db.read { db in
            var sql = "SELECT * FROM outbox WHERE id < ?"
            var args: [any DatabaseValueConvertible] = [before ?? Int64.max]
            if let states, !states.isEmpty {
                sql += " AND state IN (\(states.map { _ in "?" }.joined(separator: ",")))"
                args += states
            }
            sql += " ORDER BY id DESC LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.outboxRow)
        }
    }
}
