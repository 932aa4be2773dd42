public import Alarms
public import Records
public import Foundation
import GRDB
import SiteConfig

/// The durable record: an append-only event log with a monotonic sequence, the current state of
/// every alarm and zone, and sensor history. SQLite in WAL mode with full sync, so a committed
/// batch survives `kill -9` and power loss alike.
///
/// Everything that happens in one engine step is one transaction: an alarm storm is one commit
/// per batch, not per event.
public final class Journal: Sendable {
    let db: DatabasePool
    public let path: String

    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        db = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(db)
    }

    /// Runs synchronous reads on a reader thread and awaits them, so an async caller (an HTTP handler)
    /// never blocks a thread of Swift's small cooperative pool on SQLite.
    /// At most `readSlots.count` run at once (the pool's readers), the rest wait without a thread.
    public func reading<T: Sendable>(_ work: @escaping @Sendable (Journal) throws -> T) async throws -> T {
        await readSlots.acquire()
        defer { readSlots.release() }
        return try await withCheckedThrowingContinuation { continuation in
            Self.readers.async { continuation.resume(with: Result { try work(self) }) }
        }
    }

    /// The pool's reader count: more concurrent reads would only queue inside GRDB holding threads.
    let readSlots = ReadSlots(count: 4)
    private static let readers = DispatchQueue(label: "watchroom.journal.readers", attributes: .concurrent)

    /// Schema changes, each registered once by name and applied in order.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-events-alarms-zones") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    kind TEXT NOT NULL,
                    alarm_id INTEGER,
                    zone TEXT,
                    user TEXT,
                    text TEXT,
                    body TEXT NOT NULL
                );
                CREATE INDEX events_time ON events(time);
                CREATE INDEX events_alarm ON events(alarm_id);
                CREATE TABLE alarms (
                    id INTEGER PRIMARY KEY,
                    source_kind TEXT NOT NULL,
                    source_id TEXT NOT NULL,
                    condition TEXT NOT NULL,
                    state TEXT NOT NULL,
                    open INTEGER NOT NULL,
                    raised_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE INDEX alarms_open ON alarms(open);
                CREATE TABLE zone_control (
                    zone TEXT PRIMARY KEY,
                    body TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v1-sensor-history") { db in
            try db.execute(sql: """
                CREATE TABLE samples_minute (
                    sensor TEXT NOT NULL, start REAL NOT NULL,
                    min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
                    PRIMARY KEY (sensor, start)
                );
                CREATE TABLE samples_hour (
                    sensor TEXT NOT NULL, start REAL NOT NULL,
                    min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
                    PRIMARY KEY (sensor, start)
                );
                """)
        }
        m.registerMigration("v2-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    target TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    delivered_at REAL,
                    body TEXT NOT NULL
                );
                CREATE INDEX outbox_due ON outbox(target, state, id);
                """)
        }
        m.registerMigration("v3-duty-records") { db in
            try db.execute(sql: """
                CREATE TABLE holds (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recorder TEXT NOT NULL, camera TEXT NOT NULL,
                    from_t REAL NOT NULL, to_t REAL NOT NULL, until_t REAL NOT NULL,
                    alarm_id INTEGER, body TEXT NOT NULL
                );
                CREATE INDEX holds_until ON holds(until_t);
                CREATE INDEX holds_alarm ON holds(alarm_id);
                CREATE TABLE media_loads (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recorder TEXT NOT NULL, medium INTEGER NOT NULL, loaded_at REAL NOT NULL, body TEXT NOT NULL
                );
                CREATE TABLE playback (id INTEGER PRIMARY KEY AUTOINCREMENT, requested_at REAL NOT NULL, body TEXT NOT NULL);
                CREATE TABLE visitors (id INTEGER PRIMARY KEY AUTOINCREMENT, in_at REAL NOT NULL, out_at REAL, body TEXT NOT NULL);
                CREATE TABLE repairs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, requested_at REAL NOT NULL,
                    closed_at REAL, body TEXT NOT NULL
                );
                CREATE TABLE handovers (id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, body TEXT NOT NULL);
                CREATE TABLE recorder_state (recorder TEXT PRIMARY KEY, first_seen REAL NOT NULL, body TEXT);
                """)
        }
        m.registerMigration("v4-uplink-cursor") { db in
            // The last event each uplink's broker confirmed, with every earlier one (Journal+UplinkCursor.swift).
            try db.execute(sql: "CREATE TABLE uplink_cursor (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, updated_at REAL NOT NULL)")
        }
        return m
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = [.sortedKeys]
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }()

    // MARK: writing

    /// Commits one engine step: its events (numbered in order), the alarms they touch, the zone
    /// control they change, and finished sensor buckets. Returns the events with their sequence numbers.
    public func commit(_ events: [AlarmEvent], zoneControl: [String: ZoneControl] = [:],
                       samples: [SampleBucket] = [], outbox: [OutboxInsert] = [], holds: [HoldChange] = [],
                       repairs: [Repair] = []) async throws -> [AlarmEvent] {
        guard !events.isEmpty || !samples.isEmpty || !zoneControl.isEmpty || !outbox.isEmpty else { return events }
        // JournalJSON, not JSONEncoder (a storm writes thousands): each alarm written once for its
        // event's body (without notes, `storedBody`) and its row. Text made here, outside the write lock.
        let step = try JournalJSON.StepBodies(events)
        let encodedEvents = Array(zip(events, step.events))
        let alarmRows = step.alarms
        let zoneRows = try zoneControl.map { ($0.key, String(decoding: try JournalJSON.row(of: $0.value), as: UTF8.self)) }
        return try await db.write { db -> [AlarmEvent] in
            var numbered: [AlarmEvent] = []
            numbered.reserveCapacity(encodedEvents.count)
            for (event, body) in encodedEvents {
                // Prepared once per transaction, not per row (a storm writes thousands).
                try db.cachedStatement(sql: "INSERT INTO events (time, kind, alarm_id, zone, user, text, body) VALUES (?, ?, ?, ?, ?, ?, ?)").execute(
                               arguments: [event.time.timeIntervalSince1970, event.kind.rawValue, event.alarm?.id,
                                           event.zone ?? (event.alarm?.source.kind == .zone ? event.alarm?.source.id : nil),
                                           event.user, event.text, body])
                var e = event
                e.seq = db.lastInsertedRowID
                numbered.append(e)
            }
            for (alarm, body) in alarmRows {
                try db.cachedStatement(sql: """
                    INSERT INTO alarms (id, source_kind, source_id, condition, state, open, raised_at, updated_at, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, open = excluded.open,
                        updated_at = excluded.updated_at, body = excluded.body
                    """).execute(arguments: [alarm.id, alarm.source.kind.rawValue, alarm.source.id, alarm.condition.rawValue,
                                     alarm.state.rawValue, alarm.isOpen, alarm.raisedAt.timeIntervalSince1970,
                                     alarm.updatedAt.timeIntervalSince1970, body])
            }
            for (zone, body) in zoneRows {
                try db.cachedStatement(sql: "INSERT INTO zone_control (zone, body) VALUES (?, ?) ON CONFLICT(zone) DO UPDATE SET body = excluded.body").execute(
                               arguments: [zone, body])
            }
            for b in samples { try Self.store(b, db: db) }
            // The notifications these events cause commit with them: a notification is a row first.
            for o in outbox {
                try db.cachedStatement(sql: "INSERT INTO outbox (target, created_at, state, next_attempt_at, body) VALUES (?, ?, 'pending', ?, ?)").execute(
                               arguments: [o.target, o.createdAt.timeIntervalSince1970, o.createdAt.timeIntervalSince1970,
                                           String(decoding: o.body, as: UTF8.self)])
            }
            // Retention holds and repair requests the events cause, in the same transaction.
            for h in holds { try Self.apply(h, db: db) }
            for r in repairs { try Self.request(r, db: db) }
            return numbered
        }
    }

    /// What an event's body holds: the alarm as it was, without its notes. Notes are stored once,
    /// in the alarm row and as the text of their own `noted` event; repeating every earlier note in
    /// every event made the journal grow with the square of the notes. Reading events back puts
    /// the notes in again (`attachNotes`). `commit` applies this rule as it writes (JournalJSON
    /// splices the alarm in with `[]` for notes); this is the rule as a value, for the tests.
    static func storedBody(_ event: AlarmEvent) -> AlarmEvent {
        guard event.alarm?.notes.isEmpty == false else { return event }
        var e = event
        e.alarm?.notes = []
        return e
    }

    /// Gives each read event's alarm the notes it had at that event: the `noted` events of that
    /// alarm up to the event's sequence number. Bodies written before notes were stored once
    /// still hold their notes and are left as they are.
    static func attachNotes(_ events: inout [AlarmEvent], db: Database) throws {
        let ids = Set(events.compactMap { e in e.alarm.flatMap { $0.notes.isEmpty ? $0.id : nil } })
        guard !ids.isEmpty, let last = events.compactMap(\.seq).max() else { return }
        let rows = try Row.fetchAll(db, sql: """
            SELECT seq, alarm_id, time, user, text FROM events
            WHERE kind = 'noted' AND alarm_id IN (\(ids.sorted().map(String.init).joined(separator: ","))) AND seq <= ? ORDER BY seq
            """, arguments: [last])
        var notes: [Int: [(seq: Int64, note: AlarmNote)]] = [:]
        for row in rows {
            let note = AlarmNote(time: Date(timeIntervalSince1970: row["time"]), user: row["user"] ?? "", text: row["text"] ?? "")
            notes[row["alarm_id"], default: []].append((row["seq"], note))
        }
        for i in events.indices {
            guard let alarm = events[i].alarm, alarm.notes.isEmpty, let seq = events[i].seq, let list = notes[alarm.id] else { continue }
            events[i].alarm?.notes = list.filter { $0.seq <= seq }.map(\.note)
        }
    }

    static func store(_ b: SampleBucket, db: Database) throws {
        let table = b.span == .minute ? "samples_minute" : "samples_hour"
        try db.execute(sql: """
            INSERT INTO \(table) (sensor, start, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(sensor, start) DO UPDATE SET min = MIN(min, excluded.min), max = MAX(max, excluded.max),
                sum = sum + excluded.sum, count = count + excluded.count
            """, arguments: [b.sensor, b.start.timeIntervalSince1970, b.min, b.max, b.sum, b.count])
    }

    // MARK: reading

    /// What the engine needs to start where it stopped.
    public struct State: Sendable {
        public var openAlarms: [Alarm]
        public var zoneControl: [String: ZoneControl]
        public var nextAlarmID: Int
        public var lastSeq: Int64
        /// `raised` and `reactivated` events of the last chattering window before the last event,
        /// so chattering is still noticed across a restart (`AlarmEngine.restoreActivations`).
        public var recentActivations: [AlarmEvent] = []
    }

    public func loadState() throws -> State {
        try db.read { db in
            let open = try String.fetchAll(db, sql: "SELECT body FROM alarms WHERE open = 1 ORDER BY id")
                .map { try Self.decoder.decode(Alarm.self, from: Data($0.utf8)) }
            var zones: [String: ZoneControl] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT zone, body FROM zone_control") {
                let body: String = row["body"]
                zones[row["zone"]] = try Self.decoder.decode(ZoneControl.self, from: Data(body.utf8))
            }
            let maxID = try Int.fetchOne(db, sql: "SELECT MAX(id) FROM alarms") ?? 0
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0
            var recent: [AlarmEvent] = []
            if let lastTime = try Double.fetchOne(db, sql: "SELECT MAX(time) FROM events") {
                recent = try Row.fetchAll(db, sql: """
                    SELECT seq, body FROM events WHERE kind IN ('raised', 'reactivated') AND time >= ? ORDER BY seq
                    """, arguments: [lastTime - AlarmEngine.chatterWindow]).map(Self.event)
            }
            return State(openAlarms: open, zoneControl: zones, nextAlarmID: maxID + 1, lastSeq: lastSeq, recentActivations: recent)
        }
    }

    /// Alarms, newest first: the open ones, or (`all`) history too.
    public func alarms(all: Bool, limit: Int = 500) throws -> [Alarm] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM alarms \(all ? "" : "WHERE open = 1") ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { try Self.decoder.decode(Alarm.self, from: Data($0.utf8)) }
        }
    }

    public func alarm(_ id: Int) throws -> Alarm? {
        try db.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM alarms WHERE id = ?", arguments: [id])
                .map { try Self.decoder.decode(Alarm.self, from: Data($0.utf8)) }
        }
    }

    /// Events after `seq`, oldest first.
    public func events(after seq: Int64 = 0, alarm: Int? = nil, limit: Int = 1000) throws -> [AlarmEvent] {
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, body FROM events WHERE seq > ? \(alarm == nil ? "" : "AND alarm_id = \(alarm!)") ORDER BY seq LIMIT ?
                """, arguments: [seq, limit])
            var events = try rows.map(Self.event)
            try Self.attachNotes(&events, db: db)
            return events
        }
    }

    /// An event from a row of `seq, body`.
    static func event(_ row: Row) throws -> AlarmEvent {
        let body: String = row["body"]
        var e = try decoder.decode(AlarmEvent.self, from: Data(body.utf8))
        e.seq = row["seq"]
        return e
    }

    /// Per-minute or per-hour min/max/mean of a sensor since `since`.
    public func samples(sensor: String, span: SampleBucket.Span, since: Date) throws -> [SampleBucket] {
        try db.read { db in
            let table = span == .minute ? "samples_minute" : "samples_hour"
            return try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE sensor = ? AND start >= ? ORDER BY start",
                                    arguments: [sensor, since.timeIntervalSince1970]).map { row in
                SampleBucket(sensor: row["sensor"], span: span, start: Date(timeIntervalSince1970: row["start"]),
                             min: row["min"], max: row["max"], sum: row["sum"], count: row["count"])
            }
        }
    }

    // MARK: maintenance

    /// Deletes what is older than the retention rules: events and closed alarms after
    /// `keepEventsDays`, minute samples after 31 days, hour samples after `keepEventsDays`.
    @discardableResult
    public func prune(keepEventsDays: Int, now: Date) async throws -> Int {
        // Alarm records are evidence: never kept less than the legal floor, whatever the caller asks.
        let cutoff = now.addingTimeInterval(-Double(max(keepEventsDays, LegalRetention.days)) * 86400).timeIntervalSince1970
        let minuteCutoff = now.addingTimeInterval(-31 * 86400).timeIntervalSince1970
        return try await db.write { db in
            try db.execute(sql: "DELETE FROM events WHERE time < ?", arguments: [cutoff])
            var n = db.changesCount
            // The newest alarm row stays, so alarm ids are never reused after a quiet year.
            try db.execute(sql: "DELETE FROM alarms WHERE open = 0 AND updated_at < ? AND id < (SELECT MAX(id) FROM alarms)", arguments: [cutoff])
            n += db.changesCount
            try db.execute(sql: "DELETE FROM samples_minute WHERE start < ?", arguments: [minuteCutoff])
            try db.execute(sql: "DELETE FROM samples_hour WHERE start < ?", arguments: [cutoff])
            return n
        }
    }

    /// SQLite's own consistency check ("ok" when sound).
    public func integrityCheck() throws -> String {
        try db.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// Bytes of all stored event bodies (how fast the journal grows).
    public func eventBodyBytes() throws -> Int {
        try db.read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(LENGTH(CAST(body AS BLOB))), 0) FROM events") ?? 0 }
    }

    public func lastSeq() throws -> Int64 {
        try db.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0 }
    }

    /// When the last self-test that covered every perimeter zone finished.
    public func lastCompleteSelfTest() throws -> Date? {
        try db.read { db in
            try Double.fetchOne(db, sql: "SELECT MAX(time) FROM events WHERE kind = 'self-test-finished' AND text LIKE '%(complete)%'")
        }.map(Date.init(timeIntervalSince1970:))
    }

    /// Events of some kinds within a time range, oldest first (self-test and equipment-check reports).
    public func events(kinds: [String], from: Date, to: Date) throws -> [AlarmEvent] {
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, body FROM events WHERE kind IN (\(kinds.map { _ in "?" }.joined(separator: ","))) AND time >= ? AND time < ? ORDER BY seq
                """, arguments: StatementArguments(kinds + [from.timeIntervalSince1970, to.timeIntervalSince1970] as [any DatabaseValueConvertible]))
            var events = try rows.map(Self.event)
            try Self.attachNotes(&events, db: db)
            return events
        }
    }

    /// The time of the last committed event (the equipment check compares it with the clock).
    public func lastEventTime() throws -> Date? {
        try db.read { db in try Double.fetchOne(db, sql: "SELECT MAX(time) FROM events") }.map(Date.init(timeIntervalSince1970:))
    }
}
