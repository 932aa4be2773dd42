public import Alarms
public import Foundation
public import SiteConfig

/// What a duty command must carry, checked before anything is read or written: the refusals an
/// operator sees for a missing field, an unknown recorder or a time that is not one.
public enum DutyInput {
    /// The trimmed value, or a refusal naming the flag that is missing (`what`, e.g. "--user").
    public static func required(_ value: String?, _ what: String) throws(CommandRefusal) -> String {
        guard let v = value?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
            throw CommandRefusal(.invalid, "\(what) is required")
        }
        return v
    }

    /// The recorder `id` of the site, or a refusal listing the recorders there are.
    public static func recorder(_ id: String, in config: SiteConfig) throws(CommandRefusal) -> Recorder {
        guard let r = config.recorders.first(where: { $0.id == id }) else {
            throw CommandRefusal(.notFound, "no recorder '\(id)' in the site config (recorders: \(config.recorders.map(\.id).joined(separator: ", ")))")
        }
        return r
    }

    /// A time as typed (see `SiteTime.parse`), read in the site's `timezone` at `now`.
    public static func time(_ text: String?, _ what: String, timezone: TimeZone, now: Date) throws(CommandRefusal) -> Date {
        guard let text, !text.isEmpty else { throw CommandRefusal(.invalid, "\(what) is required (e.g. \"2026-11-21 19:00\" or 24h)") }
        guard let d = SiteTime.parse(text, timezone: timezone, now: now) else {
            throw CommandRefusal(.invalid, "\(what) '\(text)' is not a time: use YYYY-MM-DD HH:MM or HH:MM (today; site time), an RFC 3339 time, or a span like 24h or 7d")
        }
        return d
    }
}
