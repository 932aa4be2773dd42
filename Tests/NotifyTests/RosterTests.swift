import Foundation
import Notify
import SiteConfig
import Testing

/// Who is on duty: day 08:00-20:00 and night 20:00-08:00 in Asia/Shanghai (UTC+8, no DST).
@Suite("Shift roster")
struct RosterTests {
    static let site = Result<SiteConfig, any Error> { try loadSite(siteYAML()) }
    var roster: ShiftRoster { get throws { ShiftRoster(config: try Self.site.get()) } }

    @Test("the night shift crosses midnight: 23:59, 00:00 and 07:59 are night")
    func midnightCrossing() throws {
        let r = try roster
        for (h, m) in [(20, 1), (23, 59), (0, 0), (0, 1), (3, 30), (7, 59)] {
            let t = siteDate(2027, 1, 15, h, m)
            #expect(r.onDuty(at: t)?.name == "night", "\(h):\(m)")
            #expect(r.leader(at: t)?.name == nightLeader.name, "\(h):\(m)")
            #expect(r.leader(at: t)?.mobile == nightLeader.mobile, "\(h):\(m)")
        }
        // The night that began on the 15th is the same shift after midnight on the 16th.
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 0, 0))?.name == "night")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 7, 59, 59))?.name == "night")
    }

    @Test("the start of the shift on duty: the night that began yesterday at 20:00, the day at 08:00 today")
    func shiftStart() throws {
        let r = try roster
        #expect(r.shiftStart(at: siteDate(2027, 1, 16, 3, 30)) == siteDate(2027, 1, 15, 20, 0))
        #expect(r.shiftStart(at: siteDate(2027, 1, 16, 23, 0)) == siteDate(2027, 1, 16, 20, 0))
        #expect(r.shiftStart(at: siteDate(2027, 1, 16, 8, 0)) == siteDate(2027, 1, 16, 8, 0))
        #expect(r.shiftStart(at: siteDate(2027, 1, 16, 19, 59)) == siteDate(2027, 1, 16, 8, 0))
        // With daylight saving (New York, 2027-03-14 02:00 -> 03:00), a 20:00 shift still starts at 20:00 wall-clock.
        let ny = TimeZone(identifier: "America/New_York")!
        let dst = ShiftRoster(shifts: r.shifts, timezone: ny)
        #expect(dst.shiftStart(at: siteDate(2027, 3, 14, 6, 0, tz: ny)) == siteDate(2027, 3, 13, 20, 0, tz: ny))
        #expect(dst.shiftStart(at: siteDate(2027, 3, 14, 12, 0, tz: ny)) == siteDate(2027, 3, 14, 8, 0, tz: ny))
    }

    @Test("a shift owns its start minute, not its end minute")
    func exactMinuteOfChange() throws {
        let r = try roster
        // Morning change, 08:00.
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 7, 59, 0))?.name == "night")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 7, 59, 59))?.name == "night")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 8, 0, 0))?.name == "day")
        #expect(r.leader(at: siteDate(2027, 1, 16, 8, 0, 0))?.name == dayLeader.name)
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 8, 0, 59))?.name == "day")
        // Evening change, 20:00.
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 19, 59, 0))?.name == "day")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 19, 59, 59))?.name == "day")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 20, 0, 0))?.name == "night")
        #expect(r.leader(at: siteDate(2027, 1, 16, 20, 0, 0))?.name == nightLeader.name)
        // A fraction of a second before the change is still the old shift.
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 20, 0, 0).addingTimeInterval(-0.001))?.name == "day")
    }

    @Test("every minute of the day has exactly the expected leader")
    func everyMinute() throws {
        let r = try roster
        let start = siteDate(2027, 3, 1, 0, 0)
        var wrong: [String] = []
        for minute in 0..<1440 {
            let t = start.addingTimeInterval(Double(minute * 60) + 30)
            let expected = (minute < 8 * 60 || minute >= 20 * 60) ? "night" : "day"
            if r.onDuty(at: t)?.name != expected {
                wrong.append(String(format: "%02d:%02d=", minute / 60, minute % 60) + (r.onDuty(at: t)?.name ?? "nobody"))
            }
        }
        #expect(wrong.isEmpty, "wrong shift at \(wrong.prefix(10))")
    }

    @Test("the site's timezone decides: 12:00 UTC is 20:00 in Asia/Shanghai, the night shift")
    func timezone() throws {
        let r = try roster
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let noonUTC = utc.date(from: DateComponents(year: 2027, month: 1, day: 15, hour: 12, minute: 0))!
        #expect(r.onDuty(at: noonUTC)?.name == "night")
        #expect(r.onDuty(at: noonUTC.addingTimeInterval(-1))?.name == "day")  // 19:59:59 in Shanghai
        // 00:00 UTC is 08:00 in Shanghai: the day shift starts.
        let midnightUTC = utc.date(from: DateComponents(year: 2027, month: 1, day: 16, hour: 0, minute: 0))!
        #expect(r.onDuty(at: midnightUTC)?.name == "day")
        #expect(r.onDuty(at: midnightUTC.addingTimeInterval(-1))?.name == "night")

        // The same instant at a site in UTC is noon: day shift.
        let utcSite = try loadSite(siteYAML(timezone: "UTC"))
        #expect(ShiftRoster(config: utcSite).onDuty(at: noonUTC)?.name == "day")
        #expect(ShiftRoster(config: utcSite).onDuty(at: noonUTC.addingTimeInterval(8 * 3600))?.name == "night")
    }

    @Test("daylight saving time: 20:00 local is a different UTC hour in summer and winter")
    func daylightSaving() throws {
        let berlin = try loadSite(siteYAML(timezone: "Europe/Berlin"))
        let r = ShiftRoster(config: berlin)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        // Winter (CET, UTC+1): 19:00Z is 20:00 local.
        let winter = utc.date(from: DateComponents(year: 2027, month: 1, day: 15, hour: 19, minute: 0))!
        #expect(r.onDuty(at: winter)?.name == "night")
        #expect(r.onDuty(at: winter.addingTimeInterval(-60))?.name == "day")
        // Summer (CEST, UTC+2): 18:00Z is 20:00 local.
        let summer = utc.date(from: DateComponents(year: 2027, month: 7, day: 15, hour: 18, minute: 0))!
        #expect(r.onDuty(at: summer)?.name == "night")
        #expect(r.onDuty(at: summer.addingTimeInterval(-60))?.name == "day")
        // The night of the spring change (2027-03-28, 02:00 CET -> 03:00 CEST) is still one night shift.
        let springNight = utc.date(from: DateComponents(year: 2027, month: 3, day: 28, hour: 1, minute: 30))!  // 03:30 CEST
        #expect(r.onDuty(at: springNight)?.name == "night")
        let springMorning = utc.date(from: DateComponents(year: 2027, month: 3, day: 28, hour: 6, minute: 0))!  // 08:00 CEST
        #expect(r.onDuty(at: springMorning)?.name == "day")
    }

    @Test("a single 00:00-24:00 shift is on duty at every minute")
    func singleAllDayShift() throws {
        let shifts = """
            shifts:
              - {name: all-day, start: "00:00", end: "24:00", leader: {name: 赵敏, mobile: "13900000003"}}
            """
        let r = ShiftRoster(config: try loadSite(siteYAML(shifts: shifts)))
        #expect(r.shifts.count == 1)
        let start = siteDate(2027, 1, 15, 0, 0)
        var nobody: [Int] = []
        for minute in stride(from: 0, to: 1440, by: 1) where r.leader(at: start.addingTimeInterval(Double(minute * 60)))?.name != "赵敏" {
            nobody.append(minute)
        }
        #expect(nobody.isEmpty, "no leader at minutes \(nobody.prefix(10))")
        #expect(r.onDuty(at: siteDate(2027, 1, 15, 23, 59, 59))?.name == "all-day")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 0, 0, 0))?.name == "all-day")
    }

    @Test("three shifts, the last ending at 24:00: 23:59 is the last, 00:00 the first")
    func shiftEndingAt2400() throws {
        let shifts = """
            shifts:
              - {name: early, start: "00:00", end: "08:00", leader: {name: 甲, mobile: "13900000011"}}
              - {name: middle, start: "08:00", end: "16:00", leader: {name: 乙, mobile: "13900000012"}}
              - {name: late, start: "16:00", end: "24:00", leader: {name: 丙, mobile: "13900000013"}}
            """
        let r = ShiftRoster(config: try loadSite(siteYAML(shifts: shifts)))
        #expect(r.onDuty(at: siteDate(2027, 1, 15, 23, 59, 59))?.name == "late")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 0, 0))?.name == "early")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 7, 59))?.name == "early")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 8, 0))?.name == "middle")
        #expect(r.onDuty(at: siteDate(2027, 1, 16, 16, 0))?.name == "late")
    }

    @Test("the supervisor comes from the escalation section")
    func supervisor() throws {
        let r = try roster
        #expect(r.supervisor?.name == supervisorPerson.name)
        #expect(r.supervisor?.mobile == supervisorPerson.mobile)
    }

    @Test("a gap or an overlap between shifts is a config error", arguments: [
        ("""
         shifts:
           - {name: day,   start: "08:00", end: "20:00", leader: {name: 张伟}}
           - {name: night, start: "20:30", end: "08:00", leader: {name: 李强}}
         """, "20:00"),
        ("""
         shifts:
           - {name: day,   start: "08:00", end: "20:00", leader: {name: 张伟}}
           - {name: night, start: "19:00", end: "08:00", leader: {name: 李强}}
         """, "overlap"),
    ])
    func gapOrOverlapIsAnError(shifts: String, mentions: String) throws {
        do {
            _ = try loadSite(siteYAML(shifts: shifts))
            Issue.record("a config with a gap or overlap in its shifts was accepted")
        } catch {
            #expect("\(error)".contains(mentions), "error names \(mentions): \(error)")
        }
    }
}
