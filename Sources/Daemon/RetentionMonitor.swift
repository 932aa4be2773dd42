import Foundation
import Journal
import Logging
import Records
import SiteConfig

/// Checks every file-based recorder's storage: the rule, recording running, the free-space
/// forecast; prunes when configured. `service(clock:)` runs the checks at start and then every
/// `retention_check_s` on the injected clock; `now` is the wall time footage is judged by. File
/// I/O runs on its own queue, never on Swift's cooperative pool.
struct RetentionMonitor: Sendable {
    let config: SiteConfig
    let journal: Journal
    let alarms: AlarmService
    let disk: any DiskSpaceProvider
    let now: @Sendable () -> Date

    private static let queue = DispatchQueue(label: "watchroom.retention")

    /// The recorders whose storage the daemon can see.
    var recorders: [Recorder] { config.recorders.filter { $0.storagePath != nil } }

    /// The checks as a part of the daemon, nil when no recorder has storage to check.
    func service(clock: any Clock<Duration>) -> Ticker? {
        let recorders = recorders
        guard !recorders.isEmpty else { return nil }
        return Ticker("retention checks", every: .seconds(config.duty.retentionCheckSeconds), atStart: true, clock: clock) {
            for r in recorders { await check(r) }
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
        // Judging from "now" when the journal cannot say since when the recorder runs would hide a shortfall.
        let firstSeen: Date
        do { firstSeen = try journal.recorderFirstSeen(r.id, now: t) } catch {
            return RetentionStatus(recorder: r.id, retentionDays: r.retentionDays, checkedAt: t, files: 0, bytes: 0,
                                   findings: [.init(check: "storage", ok: false,
                                                    text: "the journal cannot say since when \(r.id) records (\(error)); retention not judged, nothing pruned")])
        }
        let segments: [FootageSegment]
        do {
            segments = try FootageScanner.scan(path, cameras: r.cameras)
        } catch {
            return RetentionStatus(recorder: r.id, retentionDays: r.retentionDays, checkedAt: t, files: 0, bytes: 0,
                                   findings: [.init(check: "storage", ok: false, text: "\(error)")])
        }
        // Without the holds nothing may be pruned: held footage would look like any other.
        let holds: [RetentionHold]
        var holdsReadable = true
        do { holds = try journal.holds(activeAt: t) } catch {
            holds = []
            holdsReadable = false
        }
        // Without the free space the forecast and the disk-full check cannot be judged: a storage fault, not a pass.
        let space: DiskSpace?
        var spaceUnreadable: String?
        do { space = try disk.space(at: path) } catch {
            space = nil
            spaceUnreadable = "\(error)"
        }
        let pruning = r.with(prune: r.prune && holdsReadable)
        var (status, prunable) = RetentionCheck.evaluate(pruning, segments: segments, disk: space, holds: holds, runningSince: firstSeen, now: t)
        let storageText = !holdsReadable ? "retention holds cannot be read from the journal; not pruning \(path)"
            : spaceUnreadable.map { "the free space of \(path) cannot be read (\($0)); the disk forecast is not judged" }
            ?? "\(segments.count) footage files in \(path)"
        let storage = RetentionStatus.Finding(check: "storage", ok: holdsReadable && spaceUnreadable == nil, text: storageText)
        status.findings.append(storage)
        if pruning.prune && !prunable.isEmpty {
            let deleted = FootagePruner.prune(prunable, recorder: r, holds: { try? journal.holds(activeAt: now()) }, now: now)
            status.pruned = deleted.count
            status.prunedBytes = deleted.reduce(0) { $0 + $1.bytes }
            if !deleted.isEmpty, let after = try? disk.space(at: path) {
                // Evaluated again with what is left (and no further pruning), so the disk figures are current.
                let gone = Set(deleted.map(\.path))
                let judged = r.with(prune: false)
                var again = RetentionCheck.evaluate(judged, segments: segments.filter { !gone.contains($0.path) }, disk: after, holds: holds,
                                                    runningSince: firstSeen, now: t).0
                again.findings.append(storage)
                again.pruned = status.pruned
                again.prunedBytes = status.prunedBytes
                status = again
            }
        }
        return status
    }

}
