import Alarms
import Foundation
@testable import Daemon
import Journal
import Logging
import Polling
import SiteConfig
import Synchronization
import Testing

/// An alarm storm is summed up in the log (not three lines per zone) while every event is still
/// journaled and planned for the notify targets.
struct StormLogTests {
    /// Every line a logger was given, with its level.
    final class Lines: Sendable {
        let all = Mutex<[(Logger.Level, String)]>([])
        var texts: [String] { all.withLock { $0.map(\.1) } }
        var errors: Int { all.withLock { $0.filter { $0.0 >= .error }.count } }
    }

    struct Capture: LogHandler {
        let lines: Lines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { nil } set {} }
        func log(event: LogEvent) { lines.all.withLock { $0.append((event.level, event.message.description)) } }
    }

    /// Wall time the test moves by hand.
    final class Now: Sendable {
        let t = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func read() -> Date { t.withLock { $0 } }
        func advance(_ s: TimeInterval) { t.withLock { $0 += s } }
    }

    struct Rig {
        let config: SiteConfig
        let journal: Journal
        let service: AlarmService
        let lines = Lines()
        let now = Now()
        let zones: Int

        init(_ name: String, zones: Int) throws {
            self.zones = zones
            let dir = try Paths.tempDir(name)
            var yaml = """
                site: {name: 测试, timezone: Asia/Shanghai}
                state_dir: \(dir.path)
                control: {socket: \(dir.path)/control.sock}
                buses:
                  - {id: lan, tcp: {host: 127.0.0.1, port: 1502}, poll_interval_ms: 250, timeout_ms: 200}
                devices:
                  - {id: d1, bus: lan, unit: 1, profile: di-200}
                shifts:
                  - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
                  - {name: night, start: "20:00", end: "08:00", leader: {name: 李强, mobile: "13800000002"}}
                notify:
                  - {id: bot, format: standard, url: "http://127.0.0.1:9/hook"}
                zones:

                """
            for i in 0..<zones { yaml += "  - {id: Z\(i), name: 防区\(i), type: 24h, input: \"d1.di[\(i)]\"}\n" }
            try """
                model: di-200
                source: "test fixture"
                points:
                  di: {table: discrete_input, address: 0, count: 200}
                """.write(to: dir.appendingPathComponent("di-200.yaml"), atomically: true, encoding: .utf8)
            let file = dir.appendingPathComponent("site.yaml").path
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            config = try SiteConfigLoader(profileDirectories: [Paths.devices]).load(file: file)
            journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
            let lines = lines, now = now
            service = try AlarmService(config: config, journal: journal, logger: Logger(label: "test") { _ in Capture(lines: lines) },
                                       now: { now.read() })
        }

        func scan(closed: Range<Int>) -> PollEvent {
            let t = now.read()
            return .scan(DeviceScan(device: "d1", bus: "lan", time: t,
                                    values: ["di": PointValue(readings: (0..<200).map { .bool(closed.contains($0)) }, quality: .good, time: t)],
                                    requests: 1))
        }
    }

    @Test("150 zones tripping at once log a summary, not a line each; all are journaled and notified")
    func stormIsSummed() async throws {
        let rig = try Rig("storm-log", zones: 150)
        await rig.service.ingest([rig.scan(closed: 0..<0)])
        rig.now.advance(0.25)
        await rig.service.ingest([rig.scan(closed: 0..<100)])
        rig.now.advance(0.2)
        await rig.service.ingest([rig.scan(closed: 0..<150)])
        await rig.service.logFlushed()
        let during = rig.lines.texts
        #expect(during.contains { $0.hasPrefix("alarm storm: 100 zones in alarm at once; see watchroomctl alarms (") }, "\(during)")
        #expect(during.contains { $0 == "NOTIFY 张伟 13800000001 [day shift]: alarm storm: 100 zones in alarm at once; see watchroomctl alarms" }, "\(during)")
        #expect(!during.contains { $0.contains("Z42") || $0.contains("Z120") }, "a per-zone line: \(during.filter { $0.contains("Z42") })")
        // Quiet long enough: the tick closes the storm with its summary.
        rig.now.advance(StormLog.quiet + 0.5)
        await rig.service.tick()
        await rig.service.logFlushed()
        let lines = rig.lines.texts
        #expect(lines.contains("150 zones in alarm in 0.2 s; see watchroomctl alarms"), "\(lines)")
        #expect(lines.count < 10, "\(lines)")
        #expect(rig.lines.errors <= 3)
        let events = try rig.journal.events(after: 0, limit: 1000)
        #expect(events.filter { $0.kind == .raised }.count == 150)
        #expect(try rig.journal.pendingOutbox(target: "bot", limit: 1000).count == 150)
    }

    @Test("a few alarms at once are each logged as before")
    func fewAlarmsEachLogged() async throws {
        let rig = try Rig("storm-few", zones: 30)
        await rig.service.ingest([rig.scan(closed: 0..<0)])
        rig.now.advance(0.25)
        await rig.service.ingest([rig.scan(closed: 0..<(StormLog.threshold - 1))])
        await rig.service.logFlushed()
        let lines = rig.lines.texts
        #expect(!lines.contains { $0.contains("storm") })
        for i in 0..<(StormLog.threshold - 1) {
            // The id, not a longer one that starts with it (Z1 in Z12): the NOTIFY line's Chinese
            // title closes it with "）", the others with a space.
            let id = try Regex("Z\(i)(?![0-9])")
            #expect(lines.filter { $0.contains(id) }.count == 3, "zone Z\(i): change, event and NOTIFY lines: \(lines)")
        }
    }

    @Test("storm figures read as a person says them")
    func stormText() {
        let t = Date(timeIntervalSince1970: 0)
        let s = StormLog.Storm(first: t, last: t.addingTimeInterval(0.43), zones: 5000, others: 0, level: .error)
        #expect(StormLog.text(.closed(s)) == "5,000 zones in alarm in 0.4 s; see watchroomctl alarms")
        #expect(StormLog.grouped(1_234_567) == "1,234,567" && StormLog.grouped(999) == "999")
    }
}
