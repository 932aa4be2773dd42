import Alarms
import Foundation
import Records
import Testing

/// How a retention check becomes alarms and events, without a daemon.
struct RetentionAlarmsTests {
    func status(pruned: Int = 0, findings: [RetentionStatus.Finding] = []) -> RetentionStatus {
        var s = RetentionStatus(recorder: "NVR-1", retentionDays: 14, checkedAt: testNow, files: 10, bytes: 10_000, findings: findings)
        s.pruned = pruned
        s.prunedBytes = Int64(pruned) * 1_048_576
        return s
    }

    @Test("footage deleted by a check is one retention-pruned event by watchroomd and one log line; nothing deleted, nothing recorded")
    func pruned() throws {
        #expect(RetentionAlarms.pruned(status(), at: testNow) == nil)
        let p = try #require(RetentionAlarms.pruned(status(pruned: 3), at: testNow))
        #expect(p.event.kind == .retentionPruned && p.event.time == testNow && p.event.user == "watchroomd")
        #expect(p.event.text?.hasPrefix("recorder NVR-1: deleted 3 footage files (") == true && p.event.text?.hasSuffix(") older than 14 days, none held") == true,
                "\(p.event.text ?? "")")
        #expect(p.log.hasPrefix("recorder NVR-1: pruned 3 files (") && p.log.hasSuffix(") older than 14 days"), "\(p.log)")
    }

    @Test("each finding of a check raises or returns its own alarm on the recorder; a check that did not run is left out")
    func changes() {
        let s = status(findings: [.init(check: "shortfall", ok: false, text: "only 3 days"), .init(check: "storage", ok: true, text: "readable")])
        let changes = RetentionAlarms.changes(s, recorderName: "1号录像机")
        #expect(changes.map(\.condition) == [.retentionShortfall, .fault])
        #expect(changes.map(\.active) == [true, false])
        #expect(changes.allSatisfy { $0.source == "recorder-NVR-1" && $0.name.hasPrefix("1号录像机 ") })
        #expect(changes.first?.detail == "only 3 days")
    }
}
