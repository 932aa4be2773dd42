public import Foundation
public import SiteConfig

/// Who is on duty at a given instant: the shift whose window (site time, overnight shifts
/// included) holds it. The config loader guarantees the shifts cover the day exactly once.
public struct ShiftRoster: Sendable {
    public let shifts: [Shift]
    public let timezone: TimeZone
    public let supervisor: Person?

    public init(config: SiteConfig) {
        shifts = config.shifts
        timezone = TimeZone(identifier: config.timezone) ?? .gmt
        supervisor = config.supervisor
    }

    public init(shifts: [Shift], timezone: TimeZone, supervisor: Person? = nil) {
        self.shifts = shifts
        self.timezone = timezone
        self.supervisor = supervisor
    }

    /// The shift on duty at `date`; a shift owns its start minute, not its end minute.
    public func onDuty(at date: Date) -> Shift? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        let c = calendar.dateComponents([.hour, .minute], from: date)
        let m = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        return shifts.first { s in
            let start = s.start % 1440, end = s.end % 1440
            if s.start == 0 && s.end == 1440 { return true }
            return start < end ? (m >= start && m < end) : (m >= start || m < end)
        }
    }

    public func leader(at date: Date) -> Person? { onDuty(at: date)?.leader }

    /// When the shift on duty at `date` began (by wall-clock time, so a daylight-saving change does not shift it).
    public func shiftStart(at date: Date) -> Date? {
        guard let shift = onDuty(at: date) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        let start = shift.start % 1440
        for back in 0...1 {
            let day = calendar.date(byAdding: .day, value: -back, to: calendar.startOfDay(for: date))!
            if let t = calendar.date(bySettingHour: start / 60, minute: start % 60, second: 0, of: day), t <= date { return t }
        }
        return nil
    }
}
