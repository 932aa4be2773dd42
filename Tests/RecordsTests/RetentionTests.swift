import Foundation
import Records
import SiteConfig
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Recording retention on a folder of dated footage files")
struct RetentionTests {
    func check(_ folder: FootageFolder, _ r: Recorder, disk: DiskSpace? = DiskSpace(total: 1_000_000_000, free: 800_000_000),
               holds: [RetentionHold] = [], runningSince: Date = testNow.addingTimeInterval(-60 * day)) throws -> (RetentionStatus, [FootageSegment]) {
        let segments = try FootageScanner.scan(folder.root.path, cameras: r.cameras)
        return RetentionCheck.evaluate(r, segments: segments, disk: disk, holds: holds, runningSince: runningSince, now: testNow)
    }

    @Test("20 days of hourly footage on three cameras complies with a 14-day rule; recording is running")
    func compliant() throws {
        let folder = try FootageFolder("ok")
        defer { folder.remove() }
        for c in ["C01", "C02", "C03"] {
            try folder.fill(camera: c, fromDays: 20, toDays: 0.01)
            try folder.write(camera: c, age: 120)  // the segment being written
        }
        let (status, prunable) = try check(folder, recorder(path: folder.root.path))
        #expect(status.ok, "\(status.findings)")
        #expect(status.files == 3 * 481)
        #expect(status.finding("shortfall")?.ok == true)
        #expect(status.finding("recording-stopped")?.ok == true)
        #expect(status.finding("at-risk")?.ok == true)
        #expect(abs(status.oldest!.timeIntervalSince(testNow.addingTimeInterval(-20 * day))) < 1)
        // About 3 x 24 x 1000 bytes a day.
        #expect(abs((status.dailyBytes ?? 0) - 72_000) < 4_000, "daily bytes \(status.dailyBytes ?? -1)")
        // Pruning is off: nothing is offered for deletion.
        #expect(prunable.isEmpty)
    }

    @Test("footage deleted early (oldest 9 days on a recorder running for 30) is a retention shortfall")
    func shortfall() throws {
        let folder = try FootageFolder("short")
        defer { folder.remove() }
        try folder.fill(camera: "C01", fromDays: 9, toDays: 0.01)
        let (status, _) = try check(folder, recorder(path: folder.root.path), runningSince: testNow.addingTimeInterval(-30 * day))
        let f = try #require(status.finding("shortfall"))
        #expect(!f.ok)
        #expect(f.text.contains("9.0 days") && f.text.contains("14 days"), "\(f.text)")
        // A recorder that has only run 9 days is not short: it cannot have more.
        let (young, _) = try check(folder, recorder(path: folder.root.path), runningSince: testNow.addingTimeInterval(-9 * day))
        #expect(young.finding("shortfall")?.ok == true)
    }

    @Test("no footage for longer than recording_gap_min means recording stopped")
    func recordingStopped() throws {
        let folder = try FootageFolder("stopped")
        defer { folder.remove() }
        try folder.fill(camera: "C01", fromDays: 15, toDays: 0.2)  // the newest file is 4.8 h old
        let (status, _) = try check(folder, recorder(path: folder.root.path))
        let f = try #require(status.finding("recording-stopped"))
        #expect(!f.ok)
        #expect(f.text.contains("recording stopped"), "\(f.text)")
    }

    @Test("the forecast alarms before the rule breaks: at the write rate the disk holds fewer days than the rule")
    func forecast() throws {
        let folder = try FootageFolder("forecast")
        defer { folder.remove() }
        // 5 days recorded at 24 MB a day, 50 MB free on a 1 GB disk: about 7 days in all, the rule is 14.
        try folder.fill(camera: "C01", fromDays: 5, toDays: 0.01, bytes: 1_000_000)
        let (status, _) = try check(folder, recorder(path: folder.root.path, minFree: 0), disk: DiskSpace(total: 1_000_000_000, free: 50_000_000),
                                    runningSince: testNow.addingTimeInterval(-5 * day))
        let f = try #require(status.finding("at-risk"))
        #expect(!f.ok, "\(f.text)")
        #expect((status.capacityDays ?? 99) < 14 && (status.capacityDays ?? 0) > 6, "capacity \(status.capacityDays ?? -1)")
        // The rule is not broken yet (5 days of running): the shortfall check does not fire; the forecast did.
        #expect(status.finding("shortfall")?.ok == true)
        // With 500 MB free the disk holds the two weeks.
        let (roomy, _) = try check(folder, recorder(path: folder.root.path, minFree: 0), disk: DiskSpace(total: 1_000_000_000, free: 500_000_000),
                                   runningSince: testNow.addingTimeInterval(-5 * day))
        #expect(roomy.finding("at-risk")?.ok == true)
    }

    @Test("pruning deletes only footage past the rule, oldest first, and never a held segment")
    func pruneKeepsHeld() throws {
        let folder = try FootageFolder("prune")
        defer { folder.remove() }
        for c in ["C01", "C03"] { try folder.fill(camera: c, fromDays: 20, toDays: 0.01) }
        // An incident 18 days ago on C03, held for 90 days.
        let incident = testNow.addingTimeInterval(-18 * day)
        let h = hold(camera: "C03", from: incident.addingTimeInterval(-300), to: incident.addingTimeInterval(900),
                     until: incident.addingTimeInterval(90 * day))
        let r = recorder(path: folder.root.path, prune: true)
        let (_, prunable) = try check(folder, r, holds: [h])
        let before = try FootageScanner.scan(folder.root.path, cameras: r.cameras)
        let expired = before.filter { testNow.timeIntervalSince($0.time) > 14 * day }
        let held = expired.filter { RetentionCheck.isHeld($0, r, [h]) }
        #expect(held.count == 2, "the files covering 18 days ago on C03: \(held.map(\.path))")
        #expect(prunable.count == expired.count - held.count)
        #expect(prunable.allSatisfy { $0.camera != "C03" || !RetentionCheck.isHeld($0, r, [h]) })

        let deleted = FootagePruner.prune(prunable, recorder: r, holds: { [h] }, now: { testNow })
        #expect(deleted.count == prunable.count)
        #expect(deleted.map(\.time) == deleted.map(\.time).sorted(), "oldest first")
        let after = try FootageScanner.scan(folder.root.path, cameras: r.cameras)
        // Every file younger than the rule is still there, and the held ones.
        #expect(after.count == before.count - deleted.count)
        #expect(before.filter { testNow.timeIntervalSince($0.time) <= 14 * day }.allSatisfy { s in after.contains { $0.path == s.path } })
        for s in held { #expect(FileManager.default.fileExists(atPath: s.path), "held \(s.path) deleted") }
        // The oldest footage left is the held incident, at 18 days: past the rule, kept.
        #expect(after.first.map { testNow.timeIntervalSince($0.time) > 17 * day } == true)
    }

    @Test("a hold placed after the scan still stops the pruner (it checks each file again)")
    func holdAfterScan() throws {
        let folder = try FootageFolder("late-hold")
        defer { folder.remove() }
        try folder.fill(camera: "C03", fromDays: 16, toDays: 15)
        let r = recorder(path: folder.root.path, prune: true)
        let (_, prunable) = try check(folder, r)
        #expect(!prunable.isEmpty)
        let late = hold(camera: "C03", from: testNow.addingTimeInterval(-17 * day), to: testNow.addingTimeInterval(-14 * day),
                        until: testNow.addingTimeInterval(day))
        let deleted = FootagePruner.prune(prunable, recorder: r, holds: { [late] }, now: { testNow })
        #expect(deleted.isEmpty)
    }

    @Test("a nearly full disk of young footage alarms instead of deleting it")
    func nearlyFullNeverDeletesYoung() throws {
        let folder = try FootageFolder("full")
        defer { folder.remove() }
        try folder.fill(camera: "C01", fromDays: 10, toDays: 0.01)
        let r = recorder(path: folder.root.path, prune: true, minFree: 5)
        // 1 % free of 1 GB, through the provider the daemon uses.
        let disk = try FixedDisk(total: 1_000_000_000, free: 10_000_000).space(at: folder.root.path)
        let (status, prunable) = try check(folder, r, disk: disk, runningSince: testNow.addingTimeInterval(-10 * day))
        #expect(prunable.isEmpty, "nothing is past the rule: nothing may be deleted")
        let full = try #require(status.finding("disk-full"))
        #expect(!full.ok)
        #expect(full.text.contains("not deleted"), "\(full.text)")
        let before = try FootageScanner.scan(folder.root.path, cameras: r.cameras).count
        #expect(FootagePruner.prune(try FootageScanner.scan(folder.root.path, cameras: r.cameras), recorder: r, holds: { [] }, now: { testNow }).isEmpty,
                "even handed every file, the pruner deletes none younger than the rule")
        #expect(try FootageScanner.scan(folder.root.path, cameras: r.cameras).count == before)
    }

    @Test("a file longer than segment_s is held for all of its footage, from the previous file of its camera")
    func longFilesHeldWhole() throws {
        let folder = try FootageFolder("long")
        defer { folder.remove() }
        // Hourly files, but segment_s says 10 minutes (a misconfigured or changed recorder).
        try folder.fill(camera: "C03", fromDays: 20, toDays: 15)
        let r = recorder(path: folder.root.path, prune: true, segment: 600)
        // An incident 18 days ago, 40-20 minutes before a file's end: only "the whole hour" covers it.
        let fileEnd = testNow.addingTimeInterval(-18 * day)
        let h = hold(camera: "C03", from: fileEnd.addingTimeInterval(-2400), to: fileEnd.addingTimeInterval(-1200), until: testNow.addingTimeInterval(day))
        let (_, prunable) = try check(folder, r, holds: [h])
        let segments = try FootageScanner.scan(folder.root.path, cameras: r.cameras)
        let covering = try #require(segments.first { abs($0.time.timeIntervalSince(fileEnd)) < 1 })
        #expect(covering.previous.map { abs(fileEnd.timeIntervalSince($0) - 3600) < 1 } == true)
        #expect(RetentionCheck.isHeld(covering, r, [h]))
        #expect(!prunable.contains { $0.path == covering.path })
        let deleted = FootagePruner.prune(prunable, recorder: r, holds: { [h] }, now: { testNow })
        #expect(!deleted.isEmpty)
        #expect(FileManager.default.fileExists(atPath: covering.path))
    }

    @Test("files that are not footage (notes, exports, indexes) are neither counted nor pruned")
    func onlyFootageFiles() throws {
        let folder = try FootageFolder("other")
        defer { folder.remove() }
        try folder.fill(camera: "C01", fromDays: 16, toDays: 15)
        let note = folder.root.appendingPathComponent("C01/说明.txt")
        try Data("export for case 12".utf8).write(to: note)
        var times = [timespec(tv_sec: Int(testNow.timeIntervalSince1970) - 30 * 86400, tv_nsec: 0),
                     timespec(tv_sec: Int(testNow.timeIntervalSince1970) - 30 * 86400, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, note.path, &times, 0) == 0)
        let r = recorder(path: folder.root.path, prune: true)
        let (status, prunable) = try check(folder, r)
        #expect(status.files == 25)
        #expect(!prunable.contains { $0.path == note.path })
        _ = FootagePruner.prune(prunable, recorder: r, holds: { [] }, now: { testNow })
        #expect(FileManager.default.fileExists(atPath: note.path))
    }

    @Test("when the holds cannot be read the pruner deletes nothing")
    func unreadableHoldsStopPruning() throws {
        let folder = try FootageFolder("noholds")
        defer { folder.remove() }
        try folder.fill(camera: "C03", fromDays: 20, toDays: 15)
        let r = recorder(path: folder.root.path, prune: true)
        let (_, prunable) = try check(folder, r)
        #expect(!prunable.isEmpty)
        #expect(FootagePruner.prune(prunable, recorder: r, holds: { nil }, now: { testNow }).isEmpty)
    }

    @Test("a missing storage path is an error naming it")
    func missingStorage() {
        #expect { try FootageScanner.scan("/nonexistent/nvr-1", cameras: []) } throws: { "\($0)".contains("/nonexistent/nvr-1") }
    }

    @Test("statvfs reports the real disk of a folder")
    func statvfsDisk() throws {
        let d = try StatvfsDiskSpace().space(at: FileManager.default.temporaryDirectory.path)
        #expect(d.total > 0 && d.free >= 0 && d.free <= d.total)
    }
}
