public import Foundation
import Synchronization

/// Wall time as a person at the site reads it, without building a `DateFormatter` per call.
///
/// A formatter costs about 130 µs to build and opens the zone's tzdata file; in an alarm storm
/// that was most of the daemon's CPU, and with no descriptor left it trapped. Zones are looked
/// up once and kept; formatting is arithmetic on calendar components.
public enum LocalTime {
    private static let zones = Mutex<[String: TimeZone]>([:])

    /// The zone named `id` (the site's `timezone`), looked up once; UTC when unknown.
    public static func zone(_ id: String) -> TimeZone {
        if let z = zones.withLock({ $0[id] }) { return z }
        let z = TimeZone(identifier: id) ?? TimeZone(secondsFromGMT: 0)!
        zones.withLock { $0[id] = z }
        return z
    }

    /// "yyyy-MM-dd HH:mm:ss" in the zone.
    public static func format(_ date: Date, zone id: String) -> String { format(date, in: zone(id)) }

    /// "yyyy-MM-dd HH:mm:ss" (or without the seconds) in `zone`.
    public static func format(_ date: Date, in zone: TimeZone, seconds: Bool = true) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents(in: zone, from: date)
        let day = String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
        return seconds ? day + String(format: ":%02d", c.second ?? 0) : day
    }
}
