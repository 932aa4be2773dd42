import Foundation
import Testing
@testable import SiteConfig

/// The site clock reads as the DateFormatter it replaced, in every zone a site might have.
struct SiteClockTests {
    static let zones = ["Asia/Shanghai", "UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata",
                        "America/St_Johns", "Pacific/Chatham"]

    static func formatter(_ pattern: String, _ zone: TimeZone) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        f.timeZone = zone
        f.dateFormat = pattern
        return f
    }

    /// Instants around DST changes, day and year boundaries, leap days, before 1970 and with fractions.
    static var instants: [Date] {
        var t: [Double] = [0, -1, -86_400.5, 951_782_400, 951_868_799.999, 1_733_011_199.9, 1_800_000_000, 1_800_043_199, 1_800_043_200,
                           1_711_846_800, 1_711_850_399, 1_711_850_400, 1_729_990_800, 1_730_000_000, 4_102_444_800]
        // every 7 hours 13 minutes across two years, which crosses every DST change of the zones above
        var x = 1_700_000_000.25
        while x < 1_763_000_000 { t.append(x); x += 26_003 }
        return t.map(Date.init(timeIntervalSince1970:))
    }

    @Test("wall time, with and without seconds, is what a DateFormatter in the site's zone printed")
    func matchesFormatter() {
        for id in Self.zones {
            let zone = TimeZone(identifier: id)!
            let clock = SiteClock(zone: zone)
            let long = Self.formatter("yyyy-MM-dd HH:mm:ss", zone), short = Self.formatter("yyyy-MM-dd HH:mm", zone)
            let rfc = Self.formatter("yyyy-MM-dd'T'HH:mm:ssXXXXX", zone), ms = Self.formatter("yyyy-MM-dd HH:mm:ss.SSS", zone)
            for d in Self.instants {
                #expect(clock.format(d) == long.string(from: d), "\(id) \(d.timeIntervalSince1970)")
                #expect(clock.format(d, seconds: false) == short.string(from: d), "\(id) \(d.timeIntervalSince1970)")
                #expect(clock.rfc3339(d) == rfc.string(from: d), "\(id) \(d.timeIntervalSince1970)")
                #expect(clock.logStamp(d) == ms.string(from: d), "\(id) \(d.timeIntervalSince1970)")
            }
        }
    }

    @Test("the shared entry points (notifications, records, handover) print the same as before")
    func sharedEntryPoints() {
        let d = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(LocalTime.format(d, zone: "Asia/Shanghai") == "2027-01-15 16:00:00")
        #expect(LocalTime.format(d, in: TimeZone(identifier: "Asia/Shanghai")!, seconds: false) == "2027-01-15 16:00")
        #expect(LocalTime.format(d, zone: "No/Such_Zone") == "2027-01-15 08:00:00")
        #expect(SiteClock.named("Asia/Shanghai") === SiteClock.named("Asia/Shanghai"))
        #expect(SiteClock.named("Asia/Shanghai").formatWithOffset(d) == "2027-01-15 16:00 +08:00")
        #expect(SiteClock.named("America/St_Johns").rfc3339(d) == "2027-01-15T04:30:00-03:30")
        #expect(SiteClock.named("UTC").rfc3339(d) == "2027-01-15T08:00:00Z")
        #expect(SiteClock.named("Asia/Shanghai").clockTime(d) == "16:00")
        #expect(SiteClock.named("Asia/Shanghai").dayText(Date(timeIntervalSince1970: 1_800_043_200)) == "2027-01-16")
    }

    @Test("a wall time typed at the site is the instant a DateFormatter in its zone read")
    func wallTimeToInstant() throws {
        for id in Self.zones {
            let zone = TimeZone(identifier: id)!
            let clock = SiteClock(zone: zone)
            let f = Self.formatter("yyyy-MM-dd HH:mm:ss", zone)
            for d in Self.instants {
                let text = f.string(from: d)
                let c = clock.fields(d)
                let back = try #require(clock.date(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second))
                // In a repeated hour either reading is right; both print the same wall time.
                #expect(f.string(from: back) == text, "\(id) \(text)")
            }
        }
        #expect(SiteClock.named("UTC").date(year: 2026, month: 2, day: 29) == nil)
        #expect(SiteClock.named("UTC").date(year: 2028, month: 2, day: 29) != nil)
        #expect(SiteClock.named("UTC").date(year: 2026, month: 13, day: 1) == nil)
    }

    @Test("one clock used from many threads at once prints each instant right")
    func concurrentUse() async {
        let clock = SiteClock.named("Europe/Berlin")
        let f = Self.formatter("yyyy-MM-dd HH:mm:ss", TimeZone(identifier: "Europe/Berlin")!)
        let instants = Self.instants
        let expected = instants.map { f.string(from: $0) }
        let wrong = await withTaskGroup(of: Int.self) { group in
            for k in 0..<8 {
                group.addTask {
                    var bad = 0
                    for (i, d) in (k % 2 == 0 ? instants : instants.reversed()).enumerated() {
                        let want = k % 2 == 0 ? expected[i] : expected[expected.count - 1 - i]
                        if clock.format(d) != want { bad += 1 }
                    }
                    return bad
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }
}
