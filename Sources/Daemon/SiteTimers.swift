public import Foundation

/// The scheduled checks (site rule 3's 19:00 zone self-test, the 09:00 equipment check) as systemd
/// timers at the site's local time: `OnCalendar=*-*-* 19:00:00 Asia/Shanghai` fires at 19:00 on
/// site whatever zone the host runs in (systemd.time(7), "a timezone specification").
public enum SiteTimers {
    public struct Timer: Sendable {
        /// The unit file name.
        public let file: String
        public let what: String
        /// Wall time at the site, "19:00:00".
        public let at: String
    }

    public static let timers = [
        Timer(file: "watchroom-zone-selftest.timer", what: "nightly zone self-test", at: "19:00:00"),
        Timer(file: "watchroom-equipment-check.timer", what: "morning equipment check", at: "09:00:00"),
    ]

    /// Where systemd looks for units, in its order of precedence (the first one found is the one in force).
    public static let unitDirs = ["/etc/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"]

    /// The timer's unit text for a site in `timezone`.
    public static func render(_ t: Timer, timezone: String) -> String {
        """
        # Written by `watchroomd install-units` from the site config: \(t.at.prefix(5)) in the site's timezone
        # (\(timezone)), whatever zone the host runs in. Run it again after changing site.timezone.
        [Unit]
        Description=Watchroom \(t.what) at \(t.at.prefix(5)) \(timezone)

        [Timer]
        OnCalendar=*-*-* \(t.at) \(timezone)
        Persistent=true
        AccuracySec=1s

        [Install]
        WantedBy=timers.target

        """
    }

    /// The timezone an installed timer's `OnCalendar=` names; nil when it names none (the host's zone applies).
    public static func zone(ofTimer text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("OnCalendar=") {
            let words = line.dropFirst("OnCalendar=".count).split(separator: " ")
            if let last = words.last, words.count >= 2, last.contains("/") || TimeZone(identifier: String(last)) != nil,
               !last.contains(":") {
                return String(last)
            }
            return nil
        }
        return nil
    }

    /// Warnings for installed timers (path and text) that fire in another zone than the site's.
    /// Two names for one zone (PRC and Asia/Shanghai) agree when their offsets agree all year.
    public static func warnings(siteTimezone: String, installed: [(path: String, text: String)], hostZone: TimeZone = .current,
                                now: Date = Date()) -> [String] {
        guard let site = TimeZone(identifier: siteTimezone) else { return [] }
        return installed.compactMap { unit in
            let named = zone(ofTimer: unit.text)
            let fires = named.flatMap(TimeZone.init(identifier:)) ?? hostZone
            let sameAllYear = stride(from: 0, to: 366, by: 30).allSatisfy { d in
                let t = now.addingTimeInterval(Double(d) * 86400)
                return fires.secondsFromGMT(for: t) == site.secondsFromGMT(for: t)
            }
            guard !sameAllYear else { return nil }
            let how = named.map { "names \($0)" } ?? "names no timezone, so it fires in the host's (\(hostZone.identifier))"
            return "\(unit.path): the timer \(how) but the site is in \(siteTimezone); the check would run at the wrong hour on site. "
                + "Run: watchroomd install-units --config FILE (then systemctl daemon-reload)"
        }
    }

    /// The installed watchroom timers systemd would use: the first of each name in `dirs`.
    public static func installed(in dirs: [String] = unitDirs) -> [(path: String, text: String)] {
        timers.compactMap { t in
            for dir in dirs {
                let path = dir + "/" + t.file
                if let text = try? String(contentsOfFile: path, encoding: .utf8) { return (path, text) }
            }
            return nil
        }
    }

    /// The unit folders check-config looks in: `WATCHROOM_UNIT_DIRS` (colon-separated, for packaging
    /// and tests) or systemd's own.
    public static func searchDirs(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        environment["WATCHROOM_UNIT_DIRS"].map { $0.split(separator: ":").map(String.init) } ?? unitDirs
    }
}
