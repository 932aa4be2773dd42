public import Foundation
import GRDB

/// The uplink's durable cursor: the highest seq its broker has confirmed together with every
/// earlier one. Forwarding resumes after it, so a crash repeats events, never skips one.
extension Journal {
    /// The cursor of the uplink `name`; nil when it never had one (nothing was confirmed yet).
    public func uplinkCursor(_ name: String) throws -> Int64? {
        try db.read { db in try Int64.fetchOne(db, sql: "SELECT seq FROM uplink_cursor WHERE name = ?", arguments: [name]) }
    }

    /// Moves the cursor forward to `seq` (never back: a late writer cannot undo a newer confirmation).
    public func advanceUplinkCursor(_ name: String, to seq: Int64, at time: Date) async throws {
        try await db.write { db in
            try db.execute(sql: """
                INSERT INTO uplink_cursor (name, seq, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET seq = MAX(seq, excluded.seq), updated_at = excluded.updated_at
                """, arguments: [name, seq, time.timeIntervalSince1970])
        }
    }
}
