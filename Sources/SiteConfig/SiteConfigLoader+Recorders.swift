import Foundation

/// `recorders:`: retention rules, storage, and status points (which become equipment).
extension SiteConfigLoader.Reader {
    static let minimumRetentionDays = 14

    func recorder(_ m: YMap, devices: [String: Device]) -> Recorder? {
        m.check(allowed: ["id", "name", "cameras", "retention_days", "media", "status", "storage_path", "prune", "segment_s",
                          "recording_gap_min", "min_free_percent"], in: "recorder")
        let id = m.required("id", in: "recorder")?.string("recorder id")
        let label = "recorder '\(id ?? "?")'"
        var days = Self.minimumRetentionDays
        if let d = m["retention_days"], let v = d.int("retention_days", in: 1...3650) {
            if v < Self.minimumRetentionDays {
                d.error("\(label) keeps recordings \(v) days; the site rule is at least \(Self.minimumRetentionDays) days (two weeks)")
            } else if v < LegalRetention.days {
                d.warning("\(label) keeps recordings \(v) days: the site rule's two weeks is met, but \(LegalRetention.citation) asks \(LegalRetention.days) days for video and alarm records")
            }
            days = v
        }
        var status: [String: PointRef] = [:]
        if let s = m["status"]?.map("status") {
            s.check(allowed: ["hdd_error", "hdd_full", "video_loss", "record_exception", "recording_stopped"], in: "\(label) status")
            for (k, v) in s.entries {
                if let key = k.scalarText, let (ref, _) = pointRef(v, what: "\(label) status \(key)", devices: devices) { status[key] = ref }
            }
        }
        let prune = m["prune"]?.bool("prune") ?? false
        if prune && m["storage_path"] == nil { m["prune"]?.error("\(label) has prune: true but no storage_path to prune") }
        guard let id else { return nil }
        let media = m["media"]?.int("media", in: 1...1000), storagePath = m["storage_path"]?.string("storage_path")
        let segment = m["segment_s"]?.int("segment_s", in: 1...86400) ?? 600
        let recordingGap = m["recording_gap_min"]?.int("recording_gap_min", in: 1...10080) ?? 15
        let minFree = m["min_free_percent"]?.double("min_free_percent", in: 0..<100) ?? 5
        return Recorder(id: id, name: m["name"]?.scalarText ?? id, cameras: m["cameras"]?.stringList("cameras") ?? [],
                        retentionDays: days, media: media, status: status, storagePath: storagePath, prune: prune,
                        segmentSeconds: segment, recordingGapMinutes: recordingGap, minFreePercent: minFree)
    }

    /// Two recorders may not share storage: one's pruning would delete the other's (held) footage.
    func checkStoragePaths(_ recorders: [Item<Recorder>]) {
        var seen: [(id: String, path: String)] = []
        for r in recorders {
            guard let raw = r.value.storagePath else { continue }
            let path = URL(fileURLWithPath: raw).standardizedFileURL.path
            if let other = seen.first(where: { path == $0.path || path.hasPrefix($0.path + "/") || $0.path.hasPrefix(path + "/") }) {
                r.node.error("recorder '\(r.value.id)' storage_path \(raw) overlaps recorder '\(other.id)' (\(other.path)); give each recorder its own folder")
            }
            seen.append((r.value.id, path))
        }
    }

    /// Recorder status points (HDD error, recording stopped, ...) become equipment points, unless
    /// the config already watches that point as equipment.
    func recorderEquipment(_ recorders: [Recorder], equipment: [Equipment]) -> [Equipment] {
        let watched = Set(equipment.map(\.input))
        let names = ["hdd_error": "硬盘故障 HDD error", "hdd_full": "硬盘满 HDD full", "video_loss": "视频丢失 video loss",
                     "record_exception": "录像异常 recording exception", "recording_stopped": "录像停止 recording stopped"]
        var out: [Equipment] = []
        for r in recorders {
            for key in r.status.keys.sorted() {
                guard let ref = r.status[key], !watched.contains(ref) else { continue }
                out.append(Equipment(id: "\(r.id).\(key)", name: "\(r.name) \(names[key] ?? key)", input: ref,
                                     alarmWhen: .bool(true), priority: key == "hdd_full" ? .medium : .high))
            }
        }
        return out
    }
}
