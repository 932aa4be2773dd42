import Alarms
import Foundation
import Journal
import SiteConfig
import Testing

/// The journal is a real SQLite file: an append-only event log with a gapless sequence, the
/// current state of every alarm and zone (so a restart loses nothing), and sensor history as
/// min/max/mean per minute and per hour.
@Suite("Journal: nothing is lost")
struct JournalTests {
    /// A fresh journal file in its own temporary folder.
    final class TempJournal {
        let dir: URL
        let path: String
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-journal-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            path = dir.appendingPathComponent("journal.sqlite").path
        }
        func open() throws -> Journal { try Journal(path: path) }
        deinit { try? FileManager.default.removeItem(at: dir) }
    }

    /// An operator's whole handling of a fire alarm, one engine step per batch.
    static func fireHandling(_ rig: inout Rig) throws -> [[AlarmEvent]] {
        var batches: [[AlarmEvent]] = []
        rig.zone("F01", .normal)
        let raised = rig.zone("F01", .alarm)
        let id = try #require(raised.events.first?.alarm?.id)
        batches.append(raised.events)
        rig.advance(seconds: 20)
        batches.append(try rig.command(.acknowledge(alarm: id, user: "张三")).events)
        rig.advance(seconds: 120)
        batches.append(try rig.command(.note(alarm: id, user: "张三", text: "消防主机显示3层烟感,现场确认为水汽")).events)
        return batches
    }

    @Test("committed events get a strictly increasing sequence without gaps, across batches and reopenings")
    func sequenceHasNoGaps() async throws {
        let tmp = try TempJournal()
        var rig = try Rig()
        var numbered: [AlarmEvent] = []
        do {
            let journal = try tmp.open()
            for batch in try Self.fireHandling(&rig) { numbered += try await journal.commit(batch) }
            // An alarm storm in one batch: one commit.
            var storm: [AlarmEvent] = []
            for z in ["H01", "P01", "Y01", "S02"] { storm += rig.zone(z, .alarm).events }
            #expect(storm.count == 4)
            numbered += try await journal.commit(storm)
        }
        // Reopen (as after a restart): the sequence continues.
        let journal = try tmp.open()
        rig.advance(seconds: 5)
        numbered += try await journal.commit(try rig.command(.disarm(target: "Y01", user: "张三")).events,
                                             zoneControl: rig.engine.zoneControl)

        let seqs = numbered.compactMap(\.seq)
        #expect(seqs.count == numbered.count, "every committed event gets its number")
        #expect(seqs == Array(1...Int64(numbered.count)))

        let stored = try journal.events()
        #expect(stored.compactMap(\.seq) == seqs)
        #expect(stored.map(\.kind) == [.raised, .acknowledged, .noted, .raised, .raised, .raised, .raised, .disarmed])
        #expect(stored.map(\.time) == numbered.map(\.time))
        #expect(stored[2].text == "消防主机显示3层烟感,现场确认为水汽")
        #expect(try journal.events(after: 3).first?.seq == 4)
        #expect(try journal.events(after: 0, alarm: 1).map(\.kind) == [.raised, .acknowledged, .noted])
        #expect(try journal.loadState().lastSeq == Int64(numbered.count))
        #expect(try journal.integrityCheck() == "ok")
    }

    @Test("loadState returns the open alarms with their acks and notes, and the zone control")
    func loadStateAfterRestart() async throws {
        let tmp = try TempJournal()
        var rig = try Rig()
        do {
            let journal = try tmp.open()
            for batch in try Self.fireHandling(&rig) { _ = try await journal.commit(batch) }
            let oos = try rig.command(.outOfService(zone: "H01", user: "王工", reason: "更换探测器"))
            _ = try await journal.commit(oos.events, zoneControl: rig.engine.zoneControl)
        }
        let state = try tmp.open().loadState()
        #expect(state.openAlarms == Array(rig.engine.alarms.values).sorted { $0.id < $1.id })
        let fire = try #require(state.openAlarms.first)
        #expect(fire.acknowledgedBy == "张三")
        #expect(fire.notes.map(\.user) == ["张三"])
        #expect(fire.notes.map(\.text) == ["消防主机显示3层烟感,现场确认为水汽"])
        #expect(state.zoneControl == rig.engine.zoneControl)
        #expect(state.zoneControl["H01"]?.outOfServiceReason == "更换探测器")
        #expect(state.nextAlarmID == fire.id + 1)

        // The restarted engine from the journal has the same alarms.
        let b = AlarmEngine(config: rig.config, restoring: state.openAlarms, zoneControl: state.zoneControl,
                            nextID: state.nextAlarmID, now: rig.now)
        #expect(b.alarms == rig.engine.alarms)
        #expect(b.zoneControl == rig.engine.zoneControl)
    }

    @Test("a closed alarm leaves the open set but stays in history, and its id is not reused")
    func closedAlarmsInHistory() async throws {
        let tmp = try TempJournal()
        let journal = try tmp.open()
        var rig = try Rig()
        for batch in try Self.fireHandling(&rig) { _ = try await journal.commit(batch) }
        let fire = try #require(rig.alarm(.zone, "F01"))
        rig.zone("F01", .normal)
        let reset = try rig.command(.reset(alarm: fire.id, user: "张三"))
        _ = try await journal.commit(reset.events)
        let ups = rig.equipment("ups-on-battery", .alarm)
        _ = try await journal.commit(ups.events)

        let open = try journal.alarms(all: false)
        #expect(open.map(\.source.id) == ["ups-on-battery"])
        let all = try journal.alarms(all: true)
        #expect(all.map(\.id) == [fire.id + 1, fire.id], "newest first, closed ones included")
        #expect(all.last?.state == .normal)
        #expect(all.last?.resetBy == "张三")
        #expect(try journal.alarm(fire.id)?.state == .normal)
        let state = try journal.loadState()
        #expect(state.openAlarms.map(\.source.id) == ["ups-on-battery"])
        #expect(state.nextAlarmID == fire.id + 2)
    }

    @Test("the journal file passes SQLite's integrity check")
    func integrity() async throws {
        let tmp = try TempJournal()
        let journal = try tmp.open()
        var rig = try Rig()
        for batch in try Self.fireHandling(&rig) { _ = try await journal.commit(batch) }
        #expect(try journal.integrityCheck() == "ok")
        #expect(try journal.lastEventTime() == rig.now)
    }

    @Test("prune removes events older than the kept days, keeps newer ones and every open alarm")
    func prune() async throws {
        let tmp = try TempJournal()
        let journal = try tmp.open()
        let now = afternoon.addingTimeInterval(500 * 86400)
        // 500 days ago: an alarm raised and closed then, and two raised then and still open.
        var old = try Rig()
        let h01 = old.zone("H01", .alarm)
        let y01 = old.zone("Y01", .alarm)
        let oldOpen = try #require(h01.events.first?.alarm?.id)
        let untouched = try #require(y01.events.first?.alarm?.id)
        let closing = old.equipment("ups-on-battery", .alarm)
        let oldClosed = try #require(closing.events.first?.alarm?.id)
        let ack = try old.command(.acknowledge(alarm: oldClosed, user: "张三"))
        let cleared = old.equipment("ups-on-battery", .normal)
        #expect(cleared.kinds == [.returned, .cleared])
        _ = try await journal.commit(h01.events + y01.events + closing.events + ack.events + cleared.events)
        // 10 days ago: a note on the H01 alarm.
        old.now = now.addingTimeInterval(-10 * 86400)
        let recent = try old.command(.note(alarm: oldOpen, user: "李四", text: "仍在等待维修"))
        _ = try await journal.commit(recent.events)

        let removed = try await journal.prune(keepEventsDays: 400, now: now)
        #expect(removed == 6, "6 events; the closed alarm is the newest row and stays")
        let events = try journal.events()
        #expect(events.map(\.kind) == [.noted])
        #expect(events.first?.time == old.now)
        // The closed alarm is past the kept days but is the newest alarm row: it stays, so its id is
        // never handed out again after a quiet year.
        #expect(try journal.alarm(oldClosed)?.state == .normal)
        #expect(try journal.loadState().nextAlarmID == oldClosed + 1)
        #expect(try journal.alarm(oldOpen)?.notes.map(\.text) == ["仍在等待维修"], "an open alarm is never pruned")
        #expect(try journal.alarm(untouched)?.state == .unacknowledged, "an open alarm untouched for 500 days is kept")
        #expect(try journal.loadState().openAlarms.map(\.id) == [oldOpen, untouched])
        #expect(try journal.integrityCheck() == "ok")

        // Sensor history: minute buckets are kept 31 days, hour buckets as long as events.
        let day = 86400.0
        let minute40 = SampleBucket(sensor: "room-temp", span: .minute, start: now.addingTimeInterval(-40 * day), min: 1, max: 2, sum: 3, count: 2)
        let minute20 = SampleBucket(sensor: "room-temp", span: .minute, start: now.addingTimeInterval(-20 * day), min: 1, max: 2, sum: 3, count: 2)
        var hour40 = minute40
        hour40.span = .hour
        var hour500 = minute40
        hour500.span = .hour
        hour500.start = now.addingTimeInterval(-500 * day)
        _ = try await journal.commit([], samples: [minute40, minute20, hour40, hour500])
        try await journal.prune(keepEventsDays: 400, now: now)
        let since = now.addingTimeInterval(-1000 * day)
        #expect(try journal.samples(sensor: "room-temp", span: .minute, since: since).map(\.start) == [minute20.start])
        #expect(try journal.samples(sensor: "room-temp", span: .hour, since: since).map(\.start) == [hour40.start])

        // Pruning again removes nothing more.
        #expect(try await journal.prune(keepEventsDays: 400, now: now) == 0)
    }

    // MARK: sensor history

    @Test("the aggregator keeps min/max/mean per minute and hands a minute out when the next begins")
    func aggregatorBuckets() throws {
        var agg = SampleAggregator()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // on a whole hour
        #expect(agg.add(sensor: "room-temp", value: 22, at: t0.addingTimeInterval(5)).isEmpty)
        #expect(agg.add(sensor: "room-temp", value: 20, at: t0.addingTimeInterval(25)).isEmpty)
        #expect(agg.add(sensor: "room-temp", value: 27, at: t0.addingTimeInterval(59.9)).isEmpty)
        // Another sensor does not close room-temp's minute.
        #expect(agg.add(sensor: "humidity", value: 55, at: t0.addingTimeInterval(61)).isEmpty)

        let out = agg.add(sensor: "room-temp", value: 30, at: t0.addingTimeInterval(61))
        #expect(out.map(\.span) == [.minute, .hour])
        let minute = try #require(out.first)
        #expect(minute.sensor == "room-temp")
        #expect(minute.start == t0)
        #expect(minute.min == 20)
        #expect(minute.max == 27)
        #expect(minute.count == 3)
        #expect(abs(minute.mean - 23) < 1e-9)
        #expect(out.last?.start == t0, "the hour bucket starts on the hour")

        let rest = agg.flush()
        #expect(rest.filter { $0.span == .minute }.map(\.sensor).sorted() == ["humidity", "room-temp"])
        #expect(rest.first { $0.sensor == "room-temp" && $0.span == .minute }?.start == t0.addingTimeInterval(60))
        #expect(agg.flush().isEmpty)
    }

    @Test("sensor history reads back per minute and per hour after commit")
    func samplesReadBack() async throws {
        let tmp = try TempJournal()
        let journal = try tmp.open()
        var agg = SampleAggregator()
        let hour = Date(timeIntervalSince1970: 1_800_000_000)
        var buckets: [SampleBucket] = []
        // Minute 0: 20, 21, 25; minute 1: 30; minute 59: 10; next hour, minute 0: 40.
        for (t, v) in [(0.0, 20.0), (20, 21), (40, 25), (60, 30), (59 * 60 + 1, 10), (3600, 40)] {
            buckets += agg.add(sensor: "room-temp", value: v, at: hour.addingTimeInterval(t))
        }
        buckets += agg.flush()
        _ = try await journal.commit([], samples: buckets)

        let minutes = try journal.samples(sensor: "room-temp", span: .minute, since: hour)
        #expect(minutes.map(\.start) == [hour, hour.addingTimeInterval(60), hour.addingTimeInterval(59 * 60), hour.addingTimeInterval(3600)])
        #expect(minutes.map(\.min) == [20, 30, 10, 40])
        #expect(minutes.map(\.max) == [25, 30, 10, 40])
        #expect(minutes.map(\.count) == [3, 1, 1, 1])
        #expect(abs(minutes[0].mean - 22) < 1e-9)

        let hours = try journal.samples(sensor: "room-temp", span: .hour, since: hour)
        #expect(hours.map(\.start) == [hour, hour.addingTimeInterval(3600)])
        let first = try #require(hours.first)
        #expect(first.min == 10)
        #expect(first.max == 30)
        #expect(first.count == 5)
        #expect(abs(first.mean - 21.2) < 1e-9)  // (20 + 21 + 25 + 30 + 10) / 5
        #expect(hours.last?.mean == 40)

        // `since` filters, and another sensor has nothing.
        #expect(try journal.samples(sensor: "room-temp", span: .minute, since: hour.addingTimeInterval(61)).count == 2)
        #expect(try journal.samples(sensor: "room-humidity", span: .minute, since: hour).isEmpty)
    }

    @Test("a bucket committed twice for the same minute merges instead of replacing")
    func bucketsMerge() async throws {
        let tmp = try TempJournal()
        let journal = try tmp.open()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await journal.commit([], samples: [SampleBucket(sensor: "t", span: .minute, start: start, min: 20, max: 22, sum: 42, count: 2)])
        _ = try await journal.commit([], samples: [SampleBucket(sensor: "t", span: .minute, start: start, min: 18, max: 21, sum: 18 + 21, count: 2)])
        let b = try #require(try journal.samples(sensor: "t", span: .minute, since: start).first)
        #expect(b.min == 18)
        #expect(b.max == 22)
        #expect(b.count == 4)
        #expect(b.mean == 81.0 / 4)
    }
}
