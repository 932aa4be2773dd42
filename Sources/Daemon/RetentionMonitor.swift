import Foundation
import Journal
import Logging
import Records
import SiteConfig

/// Checks every file-based recorder's storage on a timer (and at start): the rule, recording
/// running, the free-space forecast; prunes when configured. File I/O runs on its own queue,
/// never on Swift's cooperative pool.
struct RetentionMonitor: Sendable {
    let config: SiteConfig
    let journal: Journal
    let alarms: AlarmService
    let disk: any DiskSpaceProvider
    let now: @Sendable () -> Date

    private static let queue = DispatchQueue(label: "watchroom.retention")

    func run() async {
        let recorders = config.recorders.filter { $0.storagePath != nil }
        guard !recorders.isEmpty else { return }
        while !Task.isCancelled {
            for r in recorders { await check(r) }
            try? await Task.sleep(for: .seconds(config.duty.retentionCheckSeconds))
        }
    }

    /// One recorder: scan, evaluate, prune, report.
    func check(_ r: Recorder) async {
        let status = await withCheckedContinuation { c in Self.queue.async { c.resume(returning: evaluate(r)) } }
        await alarms.retentionChecked(status)
    }

    func evaluate(_ r: Recorder) -> RetentionStatus {
        let t = now()
        let path = r.storagePath ?? ""
        let firstSeen = (try? journal.recorderFirstSeen(r.id, now: t)) ?? t
        let holds = (try? journal.holds(activeAt: t)) ?? []
        let segments: [FootageSegment]
        do {
            segments = try FootageScanner.scan(path, cameras: r.cameras)
        } catch {
            return RetentionStatus(recorder: r.id, retentionDays: r.retentionDays, checkedAt: t, files: 0, bytes: 0,
                                   findings: [.init(check: "storage", ok: false, text: "\(error)")])
        }
        let space = try? disk.space(at: path)
        var (status, prunable) = RetentionCheck.evaluate(r, segments: segments, disk: space, holds: holds, runningSince: firstSeen, now: t)
        status.findings.append(.init(check: "storage", ok: true, text: "\(segments.count) files in \(path)"))
        if r.prune && !prunable.isEmpty {
            let deleted = FootagePruner.prune(prunable, recorder: r, holds: { (try? journal.holds(activeAt: now())) ?? holds }, now: now)
            status.pruned = deleted.count
            status.prunedBytes = deleted.reduce(0) { $0 + $1.bytes }
            if !deleted.isEmpty, let after = try? disk.space(at: path) {
                // Re-evaluate with what is left, so the disk figures are current.
                let left = segments.filter { s in !deleted.contains { $0.path == s.path } }
                var again = RetentionCheck.evaluate(r, segments: left, disk: after, holds: holds, runningSince: firstSeen, now: t).0
                again.findings.append(status.findings.last!)
                again.pruned = status.pruned
                again.prunedBytes = status.prunedBytes
                status = again
            }
        }
        return status
    }

}
