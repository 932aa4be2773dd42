import Foundation
import SiteConfig
import Testing

/// 保安服务管理条例 Art. 25: video and alarm records are kept 30 days; the site rule's two weeks is only a floor.
struct LegalRetentionTests {
    static let head = """
        site: {name: Test, timezone: UTC}
        state_dir: /tmp/watchroom-test
        buses:
          - {id: lan, tcp: {host: 127.0.0.1}}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: io}

        """

    func load(_ extra: String) throws(ConfigError) -> SiteConfig {
        let fixture = try! ConfigFixture(site: Self.head + extra, profiles: ["io": ioProfile])
        defer { fixture.remove() }
        return try SiteConfigLoader().load(file: fixture.sitePath)
    }

    @Test("a recorder kept 14 to 29 days loads, with a warning at its line naming the article; 30 days has none")
    func recorderBelowThirtyDays() throws {
        let short = try load("recorders:\n  - {id: NVR-1, retention_days: 20}\n")
        let w = try #require(short.warnings.first { $0.message.contains("保安服务管理条例 Art. 25") }, "\(short.warnings.map(\.description))")
        #expect(w.message.contains("NVR-1") && w.message.contains("20 days") && w.message.contains("30 days"), "\(w.message)")
        #expect(w.line == 8, "\(w.description)")
        let legal = try load("recorders:\n  - {id: NVR-1, retention_days: 30}\n")
        #expect(!legal.warnings.contains { $0.message.contains("Art. 25") }, "\(legal.warnings.map(\.description))")
        // Below the site rule it stays an error.
        #expect(throws: ConfigError.self) { try load("recorders:\n  - {id: NVR-1, retention_days: 7}\n") }
    }

    @Test("the journal's alarm records cannot be set below 30 days: the error names the article")
    func journalFloor() throws {
        do {
            _ = try load("journal: {keep_events_days: 14}\n")
            Issue.record("keep_events_days: 14 loaded")
        } catch {
            #expect(error.description.contains("keep_events_days 14 is below 30") && error.description.contains("保安服务管理条例 Art. 25"),
                    "\(error.description)")
        }
        #expect(try load("journal: {keep_events_days: 30}\n").keepEventsDays == 30)
    }
}
