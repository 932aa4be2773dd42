import Foundation
import Records
import SiteConfig
#if canImport(CDispatch)
import CDispatch
#endif
#if canImport(Glibc)
import Glibc
#endif

// MARK: 6. Retention check over a recorder's footage

/// A file-based recorder with 8 cameras writing 10-minute segments for 20 days (23,040 files):
/// the time to scan the folder, evaluate the rule and select what to prune, next to the bare
/// directory walk (readdir + lstat) that any check must do.
func retentionCheckCost(rounds: Int) throws {
    section("Retention check (8 cameras x 20 days of 10-minute segments)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-bench-footage-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    let cameras = (1...8).map { String(format: "C%02d", $0) }
    let now = Date()
    var count = 0
    for c in cameras {
        for dayIndex in 0..<20 {
            let folder = dir.appendingPathComponent("\(c)/day-\(dayIndex)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for s in 0..<144 {
                let t = Int(now.timeIntervalSince1970) - dayIndex * 86400 - s * 600
                let path = folder.appendingPathComponent("\(t).mp4").path
                let fd = open(path, O_CREAT | O_WRONLY, 0o644)
                close(fd)
                var times = [timespec(tv_sec: t, tv_nsec: 0), timespec(tv_sec: t, tv_nsec: 0)]
                utimensat(AT_FDCWD, path, &times, 0)
                count += 1
            }
        }
    }
    let r = Recorder(id: "NVR-1", name: "bench", cameras: cameras, retentionDays: 14, media: nil, status: [:], storagePath: dir.path,
                     prune: true)
    let holds = (0..<200).map { i in
        let t = now.addingTimeInterval(-Double(i) * 7200)
        return RetentionHold(recorder: "NVR-1", camera: cameras[i % 8], from: t.addingTimeInterval(-300), to: t.addingTimeInterval(900),
                             until: t.addingTimeInterval(90 * 86400), reason: "bench", alarmId: i, createdAt: t)
    }
    var walk: [Double] = [], check: [Double] = []
    var prunable = 0
    for _ in 0..<rounds {
        let t0 = ContinuousClock.now
        var n = 0
        if let e = FileManager.default.enumerator(atPath: dir.path) {
            while let rel = e.nextObject() as? String { var st = stat(); if lstat(dir.path + "/" + rel, &st) == 0 { n += 1 } }
        }
        walk.append(seconds(ContinuousClock.now - t0))
        let t1 = ContinuousClock.now
        let segments = try FootageScanner.scan(dir.path, cameras: cameras)
        let (_, p) = RetentionCheck.evaluate(r, segments: segments, disk: DiskSpace(total: 1 << 40, free: 1 << 39), holds: holds,
                                             runningSince: now.addingTimeInterval(-30 * 86400), now: now)
        check.append(seconds(ContinuousClock.now - t1))
        prunable = p.count
        precondition(segments.count == count && n >= count)
    }
    let w = walk.sorted()[rounds / 2], c = check.sorted()[rounds / 2]
    print("\(count) files, \(holds.count) holds, \(prunable) prunable: bare walk \(String(format: "%.0f", w * 1000)) ms, "
          + "scan + evaluate \(String(format: "%.0f", c * 1000)) ms (median of \(rounds)), \(String(format: "%.2f", c / w))x the walk")
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
