public import Foundation
import SiteConfig

/// Times as operators type them, read in the site's timezone: "2026-11-21 19:00", "2026-11-21T19:00:30",
/// "2026-11-21" (midnight), "15:20" (today at the site), an RFC 3339 time with its offset, or a span
/// back from now ("24h", "30m", "7d").
public enum SiteTime {
    /// "2026-11-22 19:00" in `timezone` ("-" for none), as records print.
    public static func format(_ date: Date?, _ timezone: TimeZone) -> String {
        guard let date else { return "-" }
        return LocalTime.format(date, in: timezone, seconds: false)
    }

    public static func parse(_ text: String, timezone: TimeZone, now: Date) -> Date? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let last = s.last, let n = Double(s.dropLast()), n >= 0 {
            let unit: Double? = switch last {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86400
            default: nil
            }
            if let unit { return now.addingTimeInterval(-n * unit) }
        }
        if let d = try? Date(s, strategy: .iso8601) { return d }
        return wallTime(s, SiteClock.of(timezone), now: now)
    }

    /// "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (or with a T), "HH:MM[:SS]" (today at the site), as the site's clock reads it.
    static func wallTime(_ s: String, _ clock: SiteClock, now: Date) -> Date? {
        let parts = s.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
        guard (1...2).contains(parts.count) else { return nil }
        func numbers(_ p: String, _ separator: Character, _ counts: ClosedRange<Int>) -> [Int]? {
            let fields = p.split(separator: separator, omittingEmptySubsequences: false)
            guard counts.contains(fields.count), fields.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCII) }) else { return nil }
            let n = fields.compactMap { Int($0) }
            return n.count == fields.count ? n : nil
        }
        var day: [Int]
        var clockText: String?
        if parts.count == 1, parts[0].contains(":") {
            let today = clock.fields(now)
            day = [today.year, today.month, today.day]
            clockText = parts[0]
        } else {
            guard let d = numbers(parts[0], "-", 3...3), parts[0].split(separator: "-")[0].count == 4 else { return nil }
            day = d
            clockText = parts.count == 2 ? parts[1] : nil
        }
        var hms = [0, 0, 0]
        if let clockText {
            guard let t = numbers(clockText, ":", 2...3), t.allSatisfy({ $0 >= 0 }) else { return nil }
            for (i, v) in t.enumerated() { hms[i] = v }
        }
        return clock.date(year: day[0], month: day[1], day: day[2], hour: hms[0], minute: hms[1], second: hms[2])
    }
}
