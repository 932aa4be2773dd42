public import Foundation
import Synchronization

/// Wall time as a person at the site reads it, without building a `DateFormatter` per call.
///
/// A formatter costs about 130 µs to build and opens the zone's tzdata file; in an alarm storm
/// that was most of the daemon's CPU, and with no descriptor left it trapped. The zone is looked
/// up once per site timezone (`SiteClock.named`); formatting is arithmetic on the UTC offset.
public enum LocalTime {
    /// The zone named `id` (the site's `timezone`), looked up once; UTC when unknown.
    public static func zone(_ id: String) -> TimeZone { SiteClock.named(id).zone }

    /// "yyyy-MM-dd HH:mm:ss" in the zone.
    public static func format(_ date: Date, zone id: String) -> String { SiteClock.named(id).format(date) }

    /// "yyyy-MM-dd HH:mm:ss" (or without the seconds) in `zone`.
    public static func format(_ date: Date, in zone: TimeZone, seconds: Bool = true) -> String {
        SiteClock.of(zone).format(date, seconds: seconds)
    }
}

/// The site's clock: its timezone and the wall time of any instant in it, safe to share across threads.
///
/// The UTC offset is asked of the zone once per stretch between two of its transitions (a DST
/// change, at most a day apart here so a tzdata quirk cannot stick), and the calendar fields
/// are computed from it by civil-day arithmetic, which costs well under a microsecond: no
/// `DateFormatter`, no ICU call per time printed.
public final class SiteClock: Sendable {
    /// The site's timezone.
    public let zone: TimeZone
    private let window: Mutex<OffsetWindow>

    private struct OffsetWindow {
        var from: Double = .infinity
        var until: Double = -.infinity
        var offset = 0
    }

    /// A clock for `zone`; prefer `named(_:)`/`of(_:)`, which keep one per zone.
    public init(zone: TimeZone) {
        self.zone = zone
        window = Mutex(OffsetWindow())
    }

    private static let clocks = Mutex<[String: SiteClock]>([:])

    /// The clock of the zone named `id` (the site's `timezone`), built once per zone; UTC when unknown.
    public static func named(_ id: String) -> SiteClock {
        if let c = clocks.withLock({ $0[id] }) { return c }
        let c = SiteClock(zone: TimeZone(identifier: id) ?? TimeZone(secondsFromGMT: 0)!)
        return clocks.withLock { all in
            if let existing = all[id] { return existing }
            all[id] = c
            return c
        }
    }

    /// The clock of `zone`, kept by its identifier.
    public static func of(_ zone: TimeZone) -> SiteClock {
        if let c = clocks.withLock({ $0[zone.identifier] }), c.zone == zone { return c }
        let c = SiteClock(zone: zone)
        clocks.withLock { $0[zone.identifier] = c }
        return c
    }

    /// Seconds east of UTC at `date` (28800 for Asia/Shanghai).
    public func offset(at date: Date) -> Int {
        let t = date.timeIntervalSince1970
        if let hit = window.withLock({ w in t >= w.from && t < w.until ? w.offset : nil }) { return hit }
        let offset = zone.secondsFromGMT(for: date)
        let next = zone.nextDaylightSavingTimeTransition(after: date)?.timeIntervalSince1970 ?? .infinity
        window.withLock { $0 = OffsetWindow(from: t, until: min(next, t + 86_400), offset: offset) }
        return offset
    }

    /// The wall-clock fields of an instant at the site.
    public struct Fields: Sendable, Equatable {
        public var year, month, day, hour, minute, second, millisecond: Int
        /// Seconds east of UTC.
        public var offset: Int
    }

    /// The site's wall-clock fields at `date`.
    public func fields(_ date: Date) -> Fields {
        let offset = offset(at: date)
        let ms = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) + offset * 1000
        let (secs, milli) = Self.floorDiv(ms, 1000)
        let (days, inDay) = Self.floorDiv(secs, 86_400)
        let (y, m, d) = Self.civil(fromDays: days)
        return Fields(year: y, month: m, day: d, hour: inDay / 3600, minute: inDay % 3600 / 60, second: inDay % 60,
                      millisecond: milli, offset: offset)
    }

    /// "2026-11-22 19:00:05" (or "2026-11-22 19:00" without the seconds) at the site.
    public func format(_ date: Date, seconds: Bool = true) -> String {
        let f = fields(date)
        var s = Self.day(f) + " " + Self.pad(f.hour) + ":" + Self.pad(f.minute)
        if seconds { s += ":" + Self.pad(f.second) }
        return s
    }

    /// "2026-11-22 19:00 +08:00": where a time could be misread (a report, a host in another zone).
    public func formatWithOffset(_ date: Date, seconds: Bool = false) -> String {
        format(date, seconds: seconds) + " " + Self.offsetText(offset(at: date))
    }

    /// "2026-11-22 19:00:05.123", for log lines.
    public func logStamp(_ date: Date) -> String {
        let f = fields(date)
        return Self.day(f) + " " + Self.pad(f.hour) + ":" + Self.pad(f.minute) + ":" + Self.pad(f.second) + "."
            + Self.pad(f.millisecond, 3)
    }

    /// "19:00" at the site.
    public func clockTime(_ date: Date) -> String {
        let f = fields(date)
        return Self.pad(f.hour) + ":" + Self.pad(f.minute)
    }

    /// "2026-11-22" at the site.
    public func dayText(_ date: Date) -> String { Self.day(fields(date)) }

    /// RFC 3339 with the site's offset: "2026-11-22T19:00:05+08:00" (UTC as "Z").
    public func rfc3339(_ date: Date) -> String {
        let f = fields(date)
        return Self.day(f) + "T" + Self.pad(f.hour) + ":" + Self.pad(f.minute) + ":" + Self.pad(f.second)
            + (f.offset == 0 ? "Z" : Self.offsetText(f.offset))
    }

    /// "+08:00", "-03:30", "+00:00".
    public static func offsetText(_ offset: Int) -> String {
        let a = abs(offset) / 60
        return (offset < 0 ? "-" : "+") + pad(a / 60) + ":" + pad(a % 60)
    }

    /// The instant the site's clock reads the given wall time; nil for a field out of range.
    public func date(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Date? {
        guard (1...12).contains(month), (1...Self.daysIn(month, year)).contains(day), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let wall = Double(Self.days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
        // The offset at the wall time read as UTC is off by at most one transition; a second look settles it.
        let first = offset(at: Date(timeIntervalSince1970: wall))
        let guess = wall - Double(first)
        return Date(timeIntervalSince1970: wall - Double(offset(at: Date(timeIntervalSince1970: guess))))
    }

    // MARK: civil-day arithmetic (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms")

    /// Year, month and day of the proleptic Gregorian calendar for days since 1970-01-01.
    public static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> (Int, Int) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }

    private static func day(_ f: Fields) -> String { pad(f.year, 4) + "-" + pad(f.month) + "-" + pad(f.day) }

    private static func pad(_ n: Int, _ width: Int = 2) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
