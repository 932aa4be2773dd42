public import Foundation
import Glibc
public import SiteConfig

/// What a file-based recorder's storage says about the retention rule, and what may be pruned.
public struct RetentionStatus: Codable, Sendable, Hashable {
    public struct Finding: Codable, Sendable, Hashable {
        /// "shortfall", "recording-stopped", "at-risk", "storage".
        public var check: String
        public var ok: Bool
        public var text: String
        public init(check: String, ok: Bool, text: String) {
            self.check = check
            self.ok = ok
            self.text = text
        }
    }
    public var recorder: String
    public var retentionDays: Int
    public var checkedAt: Date
    public var files: Int
    public var bytes: Int64
    public var oldest: Date?
    public var newest: Date?
    public var disk: DiskSpace?
    /// Bytes written per day at the current rate.
    public var dailyBytes: Double?
    /// Days of footage the disk can hold at that rate.
    public var capacityDays: Double?
    public var findings: [Finding]
    /// Files deleted by the last prune.
    public var pruned: Int = 0
    public var prunedBytes: Int64 = 0
    /// Files older than the rule kept because a hold covers them.
    public var heldExpired: Int = 0

    public init(recorder: String, retentionDays: Int, checkedAt: Date, files: Int, bytes: Int64, oldest: Date? = nil,
                newest: Date? = nil, disk: DiskSpace? = nil, dailyBytes: Double? = nil, capacityDays: Double? = nil, findings: [Finding]) {
        self.recorder = recorder
        self.retentionDays = retentionDays
        self.checkedAt = checkedAt
        self.files = files
        self.bytes = bytes
        self.oldest = oldest
        self.newest = newest
        self.disk = disk
        self.dailyBytes = dailyBytes
        self.capacityDays = capacityDays
        self.findings = findings
    }

    public var ok: Bool { findings.allSatisfy(\.ok) }
    public func finding(_ check: String) -> Finding? { findings.first { $0.check == check } }
}

/// The retention rule over a recorder's footage, as pure logic (the files, the disk and the time are inputs).
///
/// The lesson of Frigate's and ZoneMinder's disk-full purges: only footage past the rule and not
/// held is ever pruned; when the disk fills with younger footage, it alarms instead.
public enum RetentionCheck {
    public static func evaluate(_ r: Recorder, segments: [FootageSegment], disk: DiskSpace?, holds: [RetentionHold],
                                runningSince: Date, now: Date) -> (RetentionStatus, prunable: [FootageSegment]) {
        let day: TimeInterval = 86400
        let rule = TimeInterval(r.retentionDays) * day
        var findings: [RetentionStatus.Finding] = []
        let oldest = segments.first?.time, newest = segments.last?.time
        let bytes = segments.reduce(Int64(0)) { $0 + $1.bytes }

        // Recording is running: the newest footage is recent.
        let gap = TimeInterval(r.recordingGapMinutes) * 60
        if let newest {
            let age = now.timeIntervalSince(newest)
            findings.append(.init(check: "recording-stopped", ok: age <= gap,
                                  text: age <= gap ? "recording: newest footage \(duration(age)) old"
                                                   : "recording stopped: newest footage is \(duration(age)) old (more than \(r.recordingGapMinutes) min)"))
        } else {
            findings.append(.init(check: "recording-stopped", ok: false, text: "recording stopped: no footage in \(r.storagePath ?? "?")"))
        }

        // The rule: once the recorder has run that long, the oldest footage is at least that old.
        let running = now.timeIntervalSince(min(runningSince, oldest ?? runningSince))
        if running >= rule {
            let oldestAge = oldest.map { now.timeIntervalSince($0) } ?? 0
            // One segment of slack: the oldest file ends a segment after its footage begins.
            let ok = oldestAge + TimeInterval(r.segmentSeconds) >= rule
            findings.append(.init(check: "shortfall", ok: ok,
                                  text: ok ? "oldest footage \(days(oldestAge)) old, rule \(r.retentionDays) days"
                                           : "retention shortfall: oldest footage is \(days(oldestAge)) old; the rule is \(r.retentionDays) days"))
        } else {
            findings.append(.init(check: "shortfall", ok: true,
                                  text: "recording for \(days(running)) of the \(r.retentionDays) days the rule asks; oldest footage \(oldest.map { days(now.timeIntervalSince($0)) } ?? "none")"))
        }

        // The write rate over the last day (or what there is of it), and what the disk holds at that rate.
        var dailyBytes: Double?, capacity: Double?
        let windowStart = now.addingTimeInterval(-day)
        let recent = segments.filter { $0.time > windowStart }
        if let first = recent.first ?? segments.first {
            let span = max(now.timeIntervalSince(max(first.time.addingTimeInterval(-TimeInterval(r.segmentSeconds)), windowStart)), 60)
            let written = recent.isEmpty ? 0 : recent.reduce(Int64(0)) { $0 + $1.bytes }
            dailyBytes = Double(written) / span * day
        }
        let held = activeHolds(holds, recorder: r.id, now: now)
        // Footage past the rule: prunable, unless a hold covers it.
        var prunable: [FootageSegment] = [], heldExpiredFiles: [FootageSegment] = []
        for seg in segments where now.timeIntervalSince(seg.time) > rule {
            if isHeld(seg, r, held) { heldExpiredFiles.append(seg) } else { prunable.append(seg) }
        }
        let heldExpired = heldExpiredFiles.count
        if let disk {
            let reserve = Double(disk.total) * r.minFreePercent / 100
            // Footage the disk can hold: what is there (less what pruning frees, which the rule does not need) plus free space.
            // Held footage past the rule stays: it is not room for new footage.
            let room = Double(bytes - heldExpiredFiles.reduce(Int64(0)) { $0 + $1.bytes }) + Double(disk.free) - reserve
            if let rate = dailyBytes, rate > 0 {
                capacity = room / rate
                let ok = capacity! >= Double(r.retentionDays)
                findings.append(.init(check: "at-risk", ok: ok,
                                      text: ok ? "disk holds \(String(format: "%.1f", capacity!)) days at \(size(rate))/day; rule \(r.retentionDays) days, \(String(format: "%.0f", disk.freePercent)) % free"
                                               : "retention at risk: at \(size(rate))/day the disk holds \(String(format: "%.1f", capacity!)) days of footage; the rule is \(r.retentionDays) days (\(String(format: "%.1f", disk.freePercent)) % free)"))
            }
            let prunableBytes = r.prune ? prunable.reduce(Int64(0)) { $0 + $1.bytes } : 0
            let freeAfter = Double(disk.free + prunableBytes)
            if freeAfter < reserve {
                findings.append(.init(check: "disk-full", ok: false,
                                      text: "disk nearly full: \(String(format: "%.1f", disk.freePercent)) % free (minimum \(String(format: "%g", r.minFreePercent)) %); the footage left is younger than \(r.retentionDays) days or held, and is not deleted"))
            } else {
                findings.append(.init(check: "disk-full", ok: true, text: "\(size(Double(disk.free))) free"))
            }
        }
        var status = RetentionStatus(recorder: r.id, retentionDays: r.retentionDays, checkedAt: now, files: segments.count, bytes: bytes,
                                     oldest: oldest, newest: newest, disk: disk, dailyBytes: dailyBytes, capacityDays: capacity,
                                     findings: findings)
        status.heldExpired = heldExpired
        return (status, r.prune ? prunable : [])
    }

    public static func activeHolds(_ holds: [RetentionHold], recorder: String, now: Date) -> [RetentionHold] {
        holds.filter { $0.recorder == recorder && $0.isActive(at: now) }
    }

    /// A file holds the footage since the previous file of its camera (at least `segment_s` before
    /// its time); it is held when that overlaps a hold on its camera (or on any camera when the
    /// file's camera is unknown).
    public static func isHeld(_ seg: FootageSegment, _ r: Recorder, _ holds: [RetentionHold]) -> Bool {
        let bySegment = seg.time.addingTimeInterval(-TimeInterval(r.segmentSeconds))
        let start = min(seg.previous ?? bySegment, bySegment)
        return holds.contains { $0.covers(camera: seg.camera, start: start, end: seg.time) }
    }

    static func days(_ t: TimeInterval) -> String { String(format: "%.1f days", t / 86400) }
    static func duration(_ t: TimeInterval) -> String {
        t < 120 ? "\(Int(t)) s" : t < 7200 ? "\(Int(t / 60)) min" : t < 172_800 ? String(format: "%.1f h", t / 3600) : days(t)
    }
    public static func size(_ b: Double) -> String {
        b >= 1e9 ? String(format: "%.1f GB", b / 1e9) : b >= 1e6 ? String(format: "%.1f MB", b / 1e6) : String(format: "%.0f kB", b / 1e3)
    }
}

/// Deletes prunable footage oldest first, checking each file again just before (a hold may have
/// been placed, the clock may have moved). Returns what it deleted.
public enum FootagePruner {
    /// `holds` is read again every `refresh` files; when it cannot be read, pruning stops.
    public static func prune(_ candidates: [FootageSegment], recorder r: Recorder, holds: () -> [RetentionHold]?,
                             now: () -> Date, refresh: Int = 100) -> [FootageSegment] {
        var deleted: [FootageSegment] = []
        let rule = TimeInterval(r.retentionDays) * 86400
        var current: [RetentionHold] = []
        for (i, seg) in candidates.sorted(by: { $0.time < $1.time }).enumerated() {
            if i % refresh == 0 {
                guard let fresh = holds() else { break }
                current = fresh
            }
            let t = now()
            guard t.timeIntervalSince(seg.time) > rule,
                  !RetentionCheck.isHeld(seg, r, RetentionCheck.activeHolds(current, recorder: r.id, now: t)) else { continue }
            // The file must still be the one judged (not rewritten since the scan).
            var st = stat()
            guard lstat(seg.path, &st) == 0, TimeInterval(st.st_mtim.tv_sec) <= seg.time.timeIntervalSince1970 + 1 else { continue }
            if unlink(seg.path) == 0 { deleted.append(seg) }
        }
        return deleted
    }
}
