public import Foundation
public import SiteConfig

/// Media rotation (site rule 8: historically 16 tapes per recorder): a medium holds the footage
/// from when it was loaded until the next medium replaced it, and may be reused only once that
/// footage is older than the rule and no hold covers it.
public struct MediumStatus: Codable, Sendable, Hashable {
    public var medium: Int
    /// "loaded", "stored" (holds footage) or "unused".
    public var state: String
    public var footageFrom: Date?
    public var footageTo: Date?
    /// Until when its footage must be kept (nil: unused, or loaded now).
    public var keepUntil: Date?
    public var reusable: Bool
    public var heldBy: [String]
}

public struct MediaReport: Codable, Sendable, Hashable {
    public var recorder: String
    public var media: Int
    public var retentionDays: Int
    public var loaded: Int?
    public var oldestFootage: Date?
    /// Whether the media hold footage back to the rule's age (once the rotation has run that long).
    public var compliant: Bool
    public var summary: String
    public var statuses: [MediumStatus]
}

public enum MediaRotation {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The status of each medium of a recorder from its loads (any order) and the holds.
    public static func report(_ r: Recorder, loads: [MediaLoad], holds: [RetentionHold], now: Date) -> MediaReport {
        let ordered = loads.filter { $0.recorder == r.id }.sorted { ($0.loadedAt, $0.id) < ($1.loadedAt, $1.id) }
        let count = r.media ?? 0
        let rule = TimeInterval(r.retentionDays) * 86400
        var statuses: [MediumStatus] = []
        for m in 1...max(count, 1) where count > 0 {
            guard let i = ordered.lastIndex(where: { $0.medium == m }) else {
                statuses.append(MediumStatus(medium: m, state: "unused", reusable: true, heldBy: []))
                continue
            }
            let from = ordered[i].loadedAt
            let to = i + 1 < ordered.count ? ordered[i + 1].loadedAt : nil
            let span = (from, to ?? now)
            let covering = holds.filter { $0.recorder == r.id && $0.isActive(at: now) && $0.from <= span.1 && $0.to >= span.0 }
            var keep = to.map { $0.addingTimeInterval(rule) }
            for h in covering { keep = max(keep ?? h.until, h.until) }
            let loaded = to == nil
            statuses.append(MediumStatus(medium: m, state: loaded ? "loaded" : "stored", footageFrom: from, footageTo: to,
                                         keepUntil: loaded ? nil : keep, reusable: !loaded && (keep.map { $0 <= now } ?? true),
                                         heldBy: covering.map(\.reason)))
        }
        let loaded = ordered.last?.medium
        // The oldest footage still on a medium: the earliest load whose medium has not been reloaded since.
        let current = statuses.compactMap(\.footageFrom)
        let oldest = current.min()
        let runningSince = ordered.first?.loadedAt
        let compliant: Bool
        let summary: String
        if count == 0 {
            compliant = true
            summary = "no media rotation configured"
        } else if let runningSince, now.timeIntervalSince(runningSince) >= rule {
            let age = oldest.map { now.timeIntervalSince($0) } ?? 0
            compliant = age >= rule
            summary = compliant
                ? String(format: "compliant: media hold footage back %.1f days (rule %d days)", age / 86400, r.retentionDays)
                : String(format: "NOT compliant: the oldest footage on media is %.1f days old; the rule is %d days", age / 86400, r.retentionDays)
        } else {
            compliant = true
            summary = ordered.isEmpty ? "no medium loaded yet" : String(format: "rotation running %.1f days of the %d the rule asks",
                                                                       now.timeIntervalSince(runningSince!) / 86400, r.retentionDays)
        }
        return MediaReport(recorder: r.id, media: count, retentionDays: r.retentionDays, loaded: loaded, oldestFootage: oldest,
                           compliant: compliant, summary: summary, statuses: statuses)
    }

    /// Whether `medium` may be loaded now; the refusal says until when its footage must be kept.
    public static func checkLoad(_ r: Recorder, medium: Int, loads: [MediaLoad], holds: [RetentionHold], now: Date,
                                 timezone: TimeZone) throws(Refusal) {
        guard let count = r.media, count > 0 else {
            throw Refusal(description: "recorder \(r.id) has no media rotation (add media: N to it in the site config)")
        }
        guard (1...count).contains(medium) else {
            throw Refusal(description: "recorder \(r.id) rotates media 1-\(count); there is no medium \(medium)")
        }
        let status = report(r, loads: loads, holds: holds, now: now).statuses[medium - 1]
        if status.state == "loaded" { throw Refusal(description: "medium \(medium) is already loaded in \(r.id)") }
        if !status.reusable, let keep = status.keepUntil {
            let why = status.heldBy.isEmpty ? "footage younger than the \(r.retentionDays)-day rule" : "held footage (\(status.heldBy.joined(separator: "; ")))"
            throw Refusal(description: "medium \(medium) of \(r.id) holds \(why) from \(SiteTime.format(status.footageFrom, timezone)) to \(SiteTime.format(status.footageTo, timezone)); keep it until \(SiteTime.format(keep, timezone))")
        }
    }
}
