public import Foundation
import SiteConfig

/// Times as operators type them, read in the site's timezone: "2026-11-21 19:00", "2026-11-21T19:00:30",
/// "2026-11-21" (midnight), an RFC 3339 time with its offset, or a span back from now ("24h", "30m", "7d").
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
        for pattern in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = timezone
            f.dateFormat = pattern
            if let d = f.date(from: s) { return d }
        }
        return nil
    }
}
