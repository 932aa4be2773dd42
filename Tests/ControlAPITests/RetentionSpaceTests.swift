import Alarms
@testable import Daemon
import Foundation
import Journal
import Logging
import Records
import SiteConfig
import Testing

/// The retention check when the disk's free space cannot be read (statvfs failing on a share
/// that went away): a storage fault the operators see, never a silent pass.
@Suite("retention check without the disk's free space")
struct RetentionSpaceTests {
    struct FailingDisk: DiskSpaceProvider {
        struct Unreadable: Error, CustomStringConvertible { var description: String { "statvfs: Input/output error" } }
        func space(at path: String) throws -> DiskSpace { throw Unreadable() }
    }

    @Test("an unreadable free space fails the storage finding, naming the path and the error, and raises its alarm")
    func unreadableSpace() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-space-\(UUID().uuidString.prefix(8))")
        let footage = dir.appendingPathComponent("footage")
        try FileManager.default.createDirectory(at: footage, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
            site: {name: 测试, timezone: Asia/Shanghai}
            state_dir: \(dir.path)
            control: {socket: \(dir.path)/control.sock}
            buses:
              - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
            zones:
              - {id: Z1, name: 北门, type: 24h, input: "di-1.di[0]", cameras: [C1]}
            recorders:
              - {id: NVR-9, name: 9号存储, cameras: [C1], retention_days: 14, storage_path: \(footage.path)}

            """
        let file = dir.appendingPathComponent("site.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let config = try SiteConfigLoader(profileDirectories: [APIRig.root.appendingPathComponent("devices").path]).load(file: file)
        let journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
        let alarms = try AlarmService(config: config, journal: journal, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let monitor = RetentionMonitor(config: config, journal: journal, alarms: alarms, disk: FailingDisk(), now: { Date() })
        let recorder = try #require(config.recorders.first)

        let status = monitor.evaluate(recorder)
        let storage = try #require(status.finding("storage"))
        #expect(!storage.ok)
        #expect(storage.text.contains(footage.path))
        #expect(storage.text.contains("Input/output error"))

        await monitor.check(recorder)
        let open = await alarms.openAlarms
        #expect(open.contains { $0.source.id == "recorder-NVR-9" && $0.condition == .fault })
    }
}
