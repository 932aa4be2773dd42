import Control
import Foundation
import SiteConfig

/// Times as the console prints them: in the site's timezone, which the daemon names on every
/// reply, never the host's (a cloud host runs in UTC; the leader's message and the handover say
/// site time, and one event must read the same everywhere).
enum ShownTime {
    /// The site's clock once a reply named it; the host's zone before that (or from an old daemon).
    static var clock: SiteClock { ControlClient.siteTimezone.map(SiteClock.named) ?? SiteClock.of(.current) }

    /// The site's timezone.
    static var zone: TimeZone { clock.zone }

    /// "2026-11-22 19:00:05" in site time, with " +08:00" after it when this host's clock reads
    /// another offset at that instant (where the time would otherwise be misread); "-" for none.
    static func time(_ d: Date?) -> String {
        guard let d else { return "-" }
        let clock = clock
        return misreadable(d, clock) ? clock.formatWithOffset(d, seconds: true) : clock.format(d)
    }

    /// "2026-11-22 19:00:05" in site time, without the offset (for narrow tables; say the zone once above them).
    static func short(_ d: Date?) -> String { d.map { clock.format($0) } ?? "-" }

    /// "site time Asia/Shanghai (+08:00)", for a header line, or nil when the host reads the same offset now.
    static func note(_ now: Date = Date()) -> String? {
        let clock = clock
        guard misreadable(now, clock) else { return nil }
        return "site time \(clock.zone.identifier) (\(SiteClock.offsetText(clock.offset(at: now))))"
    }

    private static func misreadable(_ d: Date, _ clock: SiteClock) -> Bool {
        TimeZone.current.secondsFromGMT(for: d) != clock.offset(at: d)
    }
}
