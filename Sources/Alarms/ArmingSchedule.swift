public import Foundation
public import SiteConfig

/// Area arming schedules ("perimeter armed 19:00-07:00") in the site's timezone.
public enum ArmingSchedule {
    /// Whether a zone's area schedule has it armed at `date`; nil when its area has no schedule.
    public static func shouldBeArmed(zone: Zone, site: SiteConfig, at date: Date) -> Bool? {
        guard let areaID = zone.area, let area = site.areas.first(where: { $0.id == areaID }) else { return nil }
        return shouldBeArmed(area: area, site: site, at: date)
    }

    public static func shouldBeArmed(area: Area, site: SiteConfig, at date: Date) -> Bool? {
        guard let arm = area.armAt, let disarm = area.disarmAt else { return nil }
        let m = minuteOfDay(date, timezone: site.timezone)
        return arm < disarm ? (m >= arm && m < disarm) : (m >= arm || m < disarm)
    }

    /// The arming state an area's schedule switches to between `from` (exclusive) and `to`
    /// (inclusive), or nil when no boundary was crossed.
    public static func crossing(area: Area, site: SiteConfig, from: Date, to: Date) -> Bool? {
        guard to > from, let before = shouldBeArmed(area: area, site: site, at: from),
              let after = shouldBeArmed(area: area, site: site, at: to) else { return nil }
        if before != after { return after }
        // Over a day apart both ends can agree though boundaries passed: follow the schedule.
        return to.timeIntervalSince(from) >= 86400 ? after : nil
    }

    static func minuteOfDay(_ date: Date, timezone: String) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timezone) ?? .gmt
        let c = calendar.dateComponents([.hour, .minute], from: date)
        return (c.hour ?? 0) * 60 + (c.minute ?? 0)
    }
}
