import Alarms
import Foundation
@testable import Daemon
@testable import Journal
import Logging
import Notify
import Polling
import SiteConfig
import Synchronization
import Testing

/// The serial path from scans and operator commands to the journal: the engine's order is the
/// journal's order, an operator is answered only once a command is committed, and a journal that
/// cannot be written stalls nothing but the writing.
struct CommitPipelineTests {
    /// A site of 16 perimeter zones on one DI module, a journal in a temp dir, and a clock that
    /// moves a millisecond each time it is read (so every decision has its own time).
    struct Rig {
        let dir: URL
        let config: SiteConfig
        let journal: Journal
        let service: AlarmService
        let clock: TickingClock

        init(_ name: String) throws {
            dir = try Paths.tempDir(name)
            var yaml = """
                site: {name: 测试, timezone: Asia/Shanghai}
                state_dir: \(dir.path)
                control: {socket: \(dir.path)/control.sock}
                buses:
                  - {id: lan, tcp: {host: 127.0.0.1, port: 1502}, poll_interval_ms: 250, timeout_ms: 200}
                devices:
                  - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
                shifts:
                  - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
                  - {name: night, start: "20:00", end: "08:00", leader: {name: 李强, mobile: "13800000002"}}
                notify:
                  - {id: bot, format: standard, url: "http://127.0.0.1:9/hook", min_priority: high}
                zones:

                """
            for i in 0..<16 { yaml += "  - {id: Z\(i), name: 防区\(i), type: 24h, input: \"di-1.di[\(i)]\"}\n" }
            let file = dir.appendingPathComponent("site.yaml").path
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            config = try SiteConfigLoader(profileDirectories: [Paths.devices]).load(file: file)
            journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
            clock = TickingClock()
            let clock = clock
            service = try AlarmService(config: config, journal: journal, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                       now: { clock.next() })
        }

        /// A poll of di-1 with these inputs closed.
        func scan(closed: Set<Int>) -> PollEvent {
            let t = clock.next()
            return .scan(DeviceScan(device: "di-1", bus: "lan", time: t,
                                    values: ["di": PointValue(readings: (0..<16).map { .bool(closed.contains($0)) }, quality: .good, time: t)],
                                    requests: 1))
        }

        /// A fresh service over the same journal file, as after kill -9 and a restart.
        func restarted() throws -> AlarmService {
            try AlarmService(config: config, journal: Journal(path: journal.path), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        }
    }

    /// Wall time that advances 1 ms per reading.
    final class TickingClock: Sendable {
        private let t = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func next() -> Date { t.withLock { $0 += 0.001; return $0 } }
    }

    @Test("an ack while the journal cannot be written is refused, changes nothing, and is not lost on restart")
    func ackRefusedWhileJournalFails() async throws {
        let rig = try Rig("pipeline-refuse")
        await rig.service.ingest([rig.scan(closed: [])])
        await rig.service.ingest([rig.scan(closed: [3])])
        let alarm = try #require(await rig.service.openAlarms.first)
        #expect(alarm.state == .unacknowledged)

        let sent = Mutex<[String]>([])
        await rig.service.sendFromMemory { items in sent.withLock { $0 += items.map { "\($0.target): \($0.notification.title)" } } }
        try rig.journal.simulateWriteFailure(true)
        await #expect(throws: JournalWriteFailure.self) {
            try await rig.service.command(.acknowledge(alarm: alarm.id, user: "张三"))
        }
        // The refusal is the whole truth: the alarm is as it was, and status says why.
        #expect(await rig.service.openAlarms.first { $0.id == alarm.id }?.state == .unacknowledged)
        #expect(await rig.service.summary().contains("JOURNAL STALLED"))
        #expect(await rig.service.journalFault != nil)
        // The daemon raised its own `journal` alarm, in memory for now.
        #expect(await rig.service.openAlarms.contains { $0.source == AlarmSource(.system, "journal") })
        // ...and the leader hears of it from memory, since the outbox cannot take a row.
        try await Task.sleep(for: .milliseconds(100))
        #expect(sent.withLock { $0 }.contains { $0.hasPrefix("bot:") && $0.contains("系统故障：报警日志无法写入") }, "\(sent.withLock { $0 })")
        // A second command is refused at once too, and a note as well.
        await #expect(throws: JournalWriteFailure.self) {
            try await rig.service.command(.note(alarm: alarm.id, user: "张三", text: "到场查看"))
        }

        // kill -9 now: nothing of the refused commands may be found after the restart.
        let after = try rig.restarted()
        #expect(await after.openAlarms.first { $0.id == alarm.id }?.state == .unacknowledged)
        #expect(await after.openAlarms.first { $0.id == alarm.id }?.notes.isEmpty == true)
    }

    @Test("once the journal can be written, what was held goes first and commands work again")
    func recoveryWritesHeldStepsInOrder() async throws {
        let rig = try Rig("pipeline-recover")
        await rig.service.ingest([rig.scan(closed: [])])
        try rig.journal.simulateWriteFailure(true)
        // Alarms raised while the journal fails still happen, in memory.
        await rig.service.ingest([rig.scan(closed: [1])])
        await rig.service.ingest([rig.scan(closed: [1, 2])])
        #expect(await rig.service.openAlarms.filter { $0.source.kind == .zone }.count == 2)

        try rig.journal.simulateWriteFailure(false)
        let z1 = try #require(await rig.service.openAlarms.first { $0.source.id == "Z1" })
        let events = try await rig.service.command(.acknowledge(alarm: z1.id, user: "张三"))
        #expect(events.map(\.kind) == [.acknowledged])
        #expect(await rig.service.journalFault == nil)
        await rig.service.tick()

        let stored = try rig.journal.events(after: 0)
        let kinds = stored.map { "\($0.kind.rawValue) \($0.alarm?.source.id ?? "")" }
        // The engine's order: Z1 raised (its write fails), the journal alarm raised, Z2 raised (held), then the ack.
        let z1Raised = try #require(kinds.firstIndex(of: "raised Z1"))
        let z2Raised = try #require(kinds.firstIndex(of: "raised Z2"))
        let journalRaised = try #require(kinds.firstIndex(of: "raised journal"))
        let ack = try #require(kinds.firstIndex(of: "acknowledged Z1"))
        #expect(z1Raised < journalRaised && journalRaised < z2Raised && z2Raised < ack)
        #expect(kinds.contains("returned journal"))
        // Sequence numbers follow the engine's time, always.
        #expect(stored.map(\.time) == stored.map(\.time).sorted())
    }

    @Test("under concurrent scans, commands and ticks with a journal failing on and off, the journal holds the engine's final state")
    func concurrentStepsStayOrdered() async throws {
        let rig = try Rig("pipeline-order")
        await rig.service.ingest([rig.scan(closed: [])])
        for i in 0..<8 { await rig.service.ingest([rig.scan(closed: Set(0...i))]) }
        let ids = await rig.service.openAlarms.map(\.id)
        let flapping = Task {
            for k in 0..<40 {
                try? rig.journal.simulateWriteFailure(k % 2 == 0)
                try? await Task.sleep(for: .milliseconds(2))
            }
            try? rig.journal.simulateWriteFailure(false)
        }
        await withTaskGroup(of: Void.self) { group in
            for (n, id) in ids.enumerated() {
                group.addTask { _ = try? await rig.service.command(.note(alarm: id, user: "李四", text: "第\(n)次巡查")) }
                group.addTask { _ = try? await rig.service.command(.acknowledge(alarm: id, user: "李四")) }
                group.addTask { await rig.service.ingest([rig.scan(closed: Set(0..<(8 - n)))]) }
                group.addTask { await rig.service.tick() }
            }
        }
        await flapping.value
        await rig.service.tick()
        await rig.service.tick()
        #expect(await rig.service.journalFault == nil)

        let stored = try rig.journal.events(after: 0)
        #expect(stored.map(\.time) == stored.map(\.time).sorted(), "sequence numbers left the engine's order")
        // A restart restores exactly what the running engine holds: no stale row overwrote a newer one.
        let live = await rig.service.openAlarms.filter { $0.source.kind == .zone }
        let restored = try await rig.restarted().openAlarms.filter { $0.source.kind == .zone }
        #expect(restored.map(\.id) == live.map(\.id))
        for (a, b) in zip(live, restored) {
            #expect(a.state == b.state && a.notes.count == b.notes.count && a.acknowledgedBy == b.acknowledgedBy, "alarm \(a.id)")
        }
    }
}
