import Daemon
import Foundation
import Testing

/// The scheduled checks fire at site time: timers written from the config's timezone, and
/// check-config warns about installed timers that would fire in another zone.
@Suite("site timers")
struct SiteTimersTests {
    static let hostUTC = ProcessInfo.processInfo.environment.merging(["TZ": "UTC"]) { $1 }

    @Test("install-units writes OnCalendar in the site's timezone; systemd-analyze verifies them and puts 19:00 Shanghai at 11:00 UTC")
    func installUnits() async throws {
        let s = try BigSite(name: "units-site", devices: 1, zonesPerDevice: 1)
        let dir = try Paths.tempDir("units-out")
        let r = try await runToExit(Paths.watchroomd, ["install-units", "--config", s.config, "--dir", dir.path], environment: Self.hostUTC)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let selfTest = try String(contentsOf: dir.appendingPathComponent("watchroom-zone-selftest.timer"), encoding: .utf8)
        let check = try String(contentsOf: dir.appendingPathComponent("watchroom-equipment-check.timer"), encoding: .utf8)
        #expect(selfTest.contains("\nOnCalendar=*-*-* 19:00:00 Asia/Shanghai\n"), "\(selfTest)")
        #expect(check.contains("\nOnCalendar=*-*-* 09:00:00 Asia/Shanghai\n"), "\(check)")
        // systemd itself reads them: verify with the services beside them, and the calendar in UTC.
        let bin = URL(fileURLWithPath: Paths.watchroomd).deletingLastPathComponent().path + "/"
        for u in ["watchroom-zone-selftest.service", "watchroom-equipment-check.service", "watchroomd.service"] {
            let text = try String(contentsOf: Paths.root.appendingPathComponent("systemd/\(u)"), encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/", with: bin).write(to: dir.appendingPathComponent(u), atomically: true, encoding: .utf8)
        }
        let units = ["watchroom-zone-selftest.timer", "watchroom-equipment-check.timer"].map { dir.appendingPathComponent($0).path }
        let v = try await runToExit("/usr/bin/systemd-analyze", ["verify", "--recursive-errors=no"] + units, currentDirectory: dir)
        #expect(v.status == 0 && (v.out + v.err).isEmpty, "\(v.out)\(v.err)")
        let cal = try await runToExit("/usr/bin/systemd-analyze", ["calendar", "*-*-* 19:00:00 Asia/Shanghai"], environment: Self.hostUTC)
        #expect(cal.status == 0 && cal.out.contains("11:00:00 UTC"), "\(cal.out)\(cal.err)")
    }

    @Test("check-config warns when the installed timers fire in the host's zone (UTC) for a site in Asia/Shanghai, and not once they name it")
    func checkConfigWarns() async throws {
        let s = try BigSite(name: "units-warn", devices: 1, zonesPerDevice: 1)
        let dir = try Paths.tempDir("units-installed")
        for t in ["watchroom-zone-selftest.timer", "watchroom-equipment-check.timer"] {
            try FileManager.default.copyItem(at: Paths.root.appendingPathComponent("systemd/\(t)"), to: dir.appendingPathComponent(t))
        }
        var env = Self.hostUTC
        env["WATCHROOM_UNIT_DIRS"] = dir.path
        let before = try await runToExit(Paths.watchroomd, ["check-config", s.config], environment: env)
        #expect(before.status == 0, "a warning, not an error: \(before.err)")
        #expect(before.err.contains("watchroom-zone-selftest.timer: the timer names no timezone, so it fires in the host's (") && before.err.contains("but the site is in Asia/Shanghai"),
                "\(before.err)")
        #expect(before.err.contains("watchroom-equipment-check.timer"), "\(before.err)")
        let w = try await runToExit(Paths.watchroomd, ["install-units", "--config", s.config, "--dir", dir.path], environment: env)
        #expect(w.status == 0)
        let after = try await runToExit(Paths.watchroomd, ["check-config", s.config], environment: env)
        #expect(after.status == 0 && !after.err.contains(".timer"), "\(after.err)")
    }

    @Test("a timer's zone is read from OnCalendar; another name for the same zone is no mismatch, another offset is")
    func zoneOfTimer() {
        #expect(SiteTimers.zone(ofTimer: "[Timer]\nOnCalendar=*-*-* 19:00:00 Asia/Shanghai\n") == "Asia/Shanghai")
        #expect(SiteTimers.zone(ofTimer: "[Timer]\nOnCalendar=*-*-* 19:00:00\n") == nil)
        let shanghai = SiteTimers.render(SiteTimers.timers[0], timezone: "PRC")
        #expect(SiteTimers.warnings(siteTimezone: "Asia/Shanghai", installed: [("a", shanghai)]).isEmpty)
        let tokyo = SiteTimers.render(SiteTimers.timers[0], timezone: "Asia/Tokyo")
        #expect(SiteTimers.warnings(siteTimezone: "Asia/Shanghai", installed: [("a", tokyo)]).first?.contains("names Asia/Tokyo") == true)
        let plain = "OnCalendar=*-*-* 19:00:00\n"
        #expect(SiteTimers.warnings(siteTimezone: "Asia/Shanghai", installed: [("a", plain)], hostZone: TimeZone(identifier: "Asia/Shanghai")!).isEmpty)
    }
}
