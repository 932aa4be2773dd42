import Foundation
import Testing
@testable import Records

/// Times typed by an operator are site times, whatever zone the host runs in.
struct SiteTimeInputTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    /// 2026-11-21 17:00 UTC: already 01:00 on the 22nd at the site.
    static let now = Date(timeIntervalSince1970: 1_795_280_400)

    static func utc(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("a playback window typed as \"15:20\" or \"2026-11-21 15:20\" is 15:20 at the site, not on the host")
    func wallTimes() {
        let p = { (s: String) in SiteTime.parse(s, timezone: Self.shanghai, now: Self.now) }
        #expect(p("2026-11-21 15:20") == Self.utc("2026-11-21T07:20:00Z"))
        #expect(p("2026-11-21T15:20:30") == Self.utc("2026-11-21T07:20:30Z"))
        #expect(p("2026-11-21T15:20") == Self.utc("2026-11-21T07:20:00Z"))
        #expect(p("2026-11-21") == Self.utc("2026-11-20T16:00:00Z"))
        // "today" is the site's day: the 22nd there, though the host's UTC date is still the 21st
        #expect(p("15:20") == Self.utc("2026-11-22T07:20:00Z"))
        #expect(p("00:30:15") == Self.utc("2026-11-21T16:30:15Z"))
        #expect(p("2026-11-21T15:20:00+08:00") == Self.utc("2026-11-21T07:20:00Z"))
        #expect(p("2h") == Self.now.addingTimeInterval(-7200))
    }

    @Test("what is not a time is refused, never read as another one")
    func refused() {
        for s in ["yesterday", "2026-13-01", "2026-02-30", "25:00", "15:61", "15", "2026-11-21 15", "26-11-21", "15:20:00:00", "", "2026-11-21 15:20 x"] {
            #expect(SiteTime.parse(s, timezone: Self.shanghai, now: Self.now) == nil, "\(s)")
        }
    }

    @Test("the echo of a typed time reads as it was typed")
    func echo() throws {
        let d = try #require(SiteTime.parse("2026-11-21 15:20", timezone: Self.shanghai, now: Self.now))
        #expect(SiteTime.format(d, Self.shanghai) == "2026-11-21 15:20")
    }
}
