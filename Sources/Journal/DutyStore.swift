public import Alarms
public import Foundation
import GRDB
public import Records

/// The duty records (site rules 8-10): retention holds, media loads, playback requests,
/// visitors, repairs and handovers. Each row is its record as JSON plus the columns queries need.
extension Journal {
    static func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
    static func decode<T: Decodable>(_ type: T.Type, _ body: String) throws -> T { try decoder.decode(type, from: Data(body.utf8)) }

    typealias Columns = KeyValuePairs<String, (any DatabaseValueConvertible)?>

    /// Inserts a record: its query columns, then its JSON body once the row id (which the body carries) is known.
    static func insert<T: Encodable>(_ record: T, id: WritableKeyPath<T, Int64>, into table: String, _ columns: Columns,
                                     db: Database) throws -> T {
        var r = record
        let names = columns.map(\.key)
        try db.execute(sql: "INSERT INTO \(table) (\(names.joined(separator: ", ")), body) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")), '')",
                       arguments: StatementArguments(columns.map(\.value)))
        r[keyPath: id] = db.lastInsertedRowID
        try db.execute(sql: "UPDATE \(table) SET body = ? WHERE id = ?", arguments: [try json(r), r[keyPath: id]])
        return r
    }

    /// The record stored as row `id` of `table`, or nil.
    static func load<T: Decodable>(_ type: T.Type, from table: String, id: Int64, db: Database) throws -> T? {
        try String.fetchOne(db, sql: "SELECT body FROM \(table) WHERE id = ?", arguments: [id]).map { try decode(type, $0) }
    }

    /// Rewrites row `id` of `table`: its body and the given query columns.
    static func store(_ record: some Encodable, id: Int64, in table: String, _ columns: Columns = [:], db: Database) throws {
        let sets = columns.map { "\($0.key) = ?, " }.joined()
        try db.execute(sql: "UPDATE \(table) SET \(sets)body = ? WHERE id = ?",
                       arguments: StatementArguments(columns.map(\.value) + [try json(record), id]))
    }

    // MARK: holds

    static func apply(_ change: HoldChange, db: Database) throws {
        switch change {
        case .add(let h):
            _ = try insert(h, id: \.id, into: "holds", ["recorder": h.recorder, "camera": h.camera, "from_t": h.from.timeIntervalSince1970,
                                                        "to_t": h.to.timeIntervalSince1970, "until_t": h.until.timeIntervalSince1970,
                                                        "alarm_id": h.alarmId], db: db)
        case .extend(let alarmId, let until):
            for row in try Row.fetchAll(db, sql: "SELECT id, body FROM holds WHERE alarm_id = ? AND until_t < ?",
                                        arguments: [alarmId, until.timeIntervalSince1970]) {
                var h = try decode(RetentionHold.self, row["body"])
                h.until = until
                try store(h, id: h.id, in: "holds", ["until_t": until.timeIntervalSince1970], db: db)
            }
        }
    }

    /// Holds still in force at `now` (all of them with `includeExpired`), newest first.
    public func holds(activeAt now: Date, includeExpired: Bool = false) throws -> [RetentionHold] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM holds WHERE until_t > ? ORDER BY id DESC",
                                arguments: [includeExpired ? -Double.infinity : now.timeIntervalSince1970])
                .map { try Self.decode(RetentionHold.self, $0) }
        }
    }

    // MARK: recorders

    /// When Watchroom first saw a recorder's storage (recorded on the first call).
    public func recorderFirstSeen(_ recorder: String, now: Date) throws -> Date {
        try db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO recorder_state (recorder, first_seen) VALUES (?, ?)",
                           arguments: [recorder, now.timeIntervalSince1970])
            let t = try Double.fetchOne(db, sql: "SELECT first_seen FROM recorder_state WHERE recorder = ?", arguments: [recorder]) ?? now.timeIntervalSince1970
            return Date(timeIntervalSince1970: t)
        }
    }

    // MARK: media

    public func mediaLoads(recorder: String) throws -> [MediaLoad] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM media_loads WHERE recorder = ? ORDER BY loaded_at, id", arguments: [recorder])
                .map { try Self.decode(MediaLoad.self, $0) }
        }
    }

    /// Records a load after `check` (run inside the write transaction, so two loads cannot race) allows it.
    public func loadMedium(_ load: MediaLoad, check: @escaping @Sendable ([MediaLoad], [RetentionHold]) throws -> Void) async throws -> MediaLoad {
        try await db.write { db in
            let loads = try String.fetchAll(db, sql: "SELECT body FROM media_loads WHERE recorder = ? ORDER BY loaded_at, id",
                                            arguments: [load.recorder]).map { try Self.decode(MediaLoad.self, $0) }
            let holds = try String.fetchAll(db, sql: "SELECT body FROM holds WHERE recorder = ? AND until_t > ?",
                                            arguments: [load.recorder, load.loadedAt.timeIntervalSince1970])
                .map { try Self.decode(RetentionHold.self, $0) }
            try check(loads, holds)
            return try Self.insert(load, id: \.id, into: "media_loads",
                                   ["recorder": load.recorder, "medium": load.medium, "loaded_at": load.loadedAt.timeIntervalSince1970], db: db)
        }
    }

    // MARK: playback

    public func addPlaybackRequest(_ request: PlaybackRequest) async throws -> PlaybackRequest {
        try await db.write { db in
            try Self.insert(request, id: \.id, into: "playback", ["requested_at": request.requestedAt.timeIntervalSince1970], db: db)
        }
    }

    /// Changes a playback request in one transaction; `change` may refuse by throwing. Nil when there is no such request.
    public func updatePlaybackRequest(_ id: Int64, _ change: @escaping @Sendable (inout PlaybackRequest) throws -> Void) async throws -> PlaybackRequest? {
        try await db.write { db in
            guard var r = try Self.load(PlaybackRequest.self, from: "playback", id: id, db: db) else { return nil }
            try change(&r)
            try Self.store(r, id: id, in: "playback", db: db)
            return r
        }
    }

    public func playbackRequests(since: Date? = nil) throws -> [PlaybackRequest] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM playback ORDER BY id").map { try Self.decode(PlaybackRequest.self, $0) }
                .filter { r in since.map { s in r.requestedAt >= s || (r.approvedAt ?? .distantPast) >= s || r.viewings.contains { $0.at >= s } } ?? true }
        }
    }

    // MARK: visitors

    public func visitorIn(_ visitor: Visitor) async throws -> Visitor {
        try await db.write { db in
            try Self.insert(visitor, id: \.id, into: "visitors", ["in_at": visitor.inAt.timeIntervalSince1970], db: db)
        }
    }

    /// Confirms a visit awaiting approval: `approve` answers the record found (nil: none) or refuses.
    public func visitorApprove(_ id: Int64, _ approve: @Sendable (Visitor?) throws -> Visitor) async throws -> Visitor {
        try await db.write { db in
            let v = try approve(try Self.load(Visitor.self, from: "visitors", id: id, db: db))
            try Self.store(v, id: id, in: "visitors", [:], db: db)
            return v
        }
    }

    /// Signs a visitor out; nil when there is no such visitor, the record unchanged when already out.
    public func visitorOut(_ id: Int64, by user: String?, at: Date) async throws -> (Visitor, wasInside: Bool)? {
        try await db.write { db in
            guard var v = try Self.load(Visitor.self, from: "visitors", id: id, db: db) else { return nil }
            guard v.outAt == nil else { return (v, false) }
            v.outAt = at
            v.outBy = user
            try Self.store(v, id: id, in: "visitors", ["out_at": at.timeIntervalSince1970], db: db)
            return (v, true)
        }
    }

    /// Visitors inside now, plus (with `since`) everyone who came or left since then.
    public func visitors(since: Date?) throws -> [Visitor] {
        try db.read { db in
            let sql = since == nil ? "SELECT body FROM visitors WHERE out_at IS NULL ORDER BY id"
                                   : "SELECT body FROM visitors WHERE out_at IS NULL OR in_at >= ? OR out_at >= ? ORDER BY id"
            let t = since?.timeIntervalSince1970 ?? 0
            return try String.fetchAll(db, sql: sql, arguments: since == nil ? [] : [t, t]).map { try Self.decode(Visitor.self, $0) }
        }
    }

    // MARK: repairs

    /// A repair request, unless the same subject already has one open.
    static func request(_ repair: Repair, db: Database) throws {
        let open = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM repairs WHERE subject = ? AND closed_at IS NULL", arguments: [repair.subject]) ?? 0
        guard open == 0 else { return }
        _ = try insert(repair, id: \.id, into: "repairs", ["subject": repair.subject, "requested_at": repair.requestedAt.timeIntervalSince1970], db: db)
    }

    /// Closes a repair with its note; nil when there is no such repair, unchanged when already closed.
    public func closeRepair(_ id: Int64, by user: String, note: String, at: Date) async throws -> (Repair, wasOpen: Bool)? {
        try await db.write { db in
            guard var r = try Self.load(Repair.self, from: "repairs", id: id, db: db) else { return nil }
            guard r.closedAt == nil else { return (r, false) }
            r.closedAt = at
            r.closedBy = user
            r.note = note
            try Self.store(r, id: id, in: "repairs", ["closed_at": at.timeIntervalSince1970], db: db)
            return (r, true)
        }
    }

    /// Open repairs, plus (with `since`) every repair requested or closed since then.
    public func repairs(since: Date?) throws -> [Repair] {
        try db.read { db in
            let sql = since == nil ? "SELECT body FROM repairs WHERE closed_at IS NULL ORDER BY id"
                                   : "SELECT body FROM repairs WHERE closed_at IS NULL OR requested_at >= ? OR closed_at >= ? ORDER BY id"
            let t = since?.timeIntervalSince1970 ?? 0
            return try String.fetchAll(db, sql: sql, arguments: since == nil ? [] : [t, t]).map { try Self.decode(Repair.self, $0) }
        }
    }

    // MARK: handovers

    public func addHandover(_ record: HandoverRecord) async throws -> HandoverRecord {
        try await db.write { db in
            try Self.insert(record, id: \.id, into: "handovers", ["time": record.windowEnd.timeIntervalSince1970], db: db)
        }
    }

    /// A handover by id, or the last one (`id` nil).
    public func handover(_ id: Int64?) throws -> HandoverRecord? {
        try db.read { db in
            guard let id else {
                return try String.fetchOne(db, sql: "SELECT body FROM handovers ORDER BY id DESC LIMIT 1").map { try Self.decode(HandoverRecord.self, $0) }
            }
            return try Self.load(HandoverRecord.self, from: "handovers", id: id, db: db)
        }
    }

    public func handovers(limit: Int = 50) throws -> [HandoverRecord] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM handovers ORDER BY id DESC LIMIT ?", arguments: [limit]).map { try Self.decode(HandoverRecord.self, $0) }
        }
    }

    /// Alarms raised or handled (acknowledged, noted, reset, returned) since `since`, oldest first, as they stand now.
    public func alarmsRaised(since: Date) throws -> [Alarm] {
        try db.read { db in
            let t = since.timeIntervalSince1970
            return try String.fetchAll(db, sql: """
                SELECT body FROM alarms WHERE raised_at >= ? OR id IN (SELECT alarm_id FROM events WHERE time >= ? AND alarm_id IS NOT NULL
                    AND kind IN ('acknowledged', 'noted', 'reset', 'cleared', 'returned', 'shelved', 'escalated'))
                ORDER BY id
                """, arguments: [t, t]).map { try Self.decode(Alarm.self, $0) }
        }
    }

    // MARK: equipment log

    /// Events for the equipment operation log since `since`: device, equipment and recorder alarms,
    /// equipment checks and self-test results.
    public func equipmentEvents(since: Date, limit: Int = 5000) throws -> [AlarmEvent] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.body FROM events e LEFT JOIN alarms a ON a.id = e.alarm_id
                WHERE e.time >= ? AND (e.kind IN ('equipment-check', 'self-test-result', 'retention-pruned')
                    OR (e.kind IN ('raised', 'returned', 'reactivated', 'cleared', 'reset', 'acknowledged', 'noted')
                        AND (a.source_kind IN ('device', 'equipment') OR a.source_id LIKE 'recorder-%')))
                ORDER BY e.seq DESC LIMIT ?
                """, arguments: [since.timeIntervalSince1970, limit]).map { try Self.decode(AlarmEvent.self, $0["body"]) }.reversed()
        }
    }
}

