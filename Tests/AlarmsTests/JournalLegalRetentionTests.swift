import Alarms
import Foundation
import Journal
import Testing

struct JournalLegalRetentionTests {
    @Test("pruning never deletes an alarm record younger than 30 days, whatever it is asked")
    func pruneFloor() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-legal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await journal.commit([AlarmEvent(kind: .armed, time: now.addingTimeInterval(-29 * 86400), zone: "Z1"),
                                      AlarmEvent(kind: .armed, time: now.addingTimeInterval(-31 * 86400), zone: "Z2")])
        try await journal.prune(keepEventsDays: 7, now: now)
        #expect(try journal.events(after: 0, limit: 10).map(\.zone) == ["Z1"], "29 days old is kept though 7 was asked")
    }
}
