import Foundation
import SiteConfig
import Testing

/// A profile that names one input twice: `door` is input 2 of `di` too.
private let aliasProfile = ioProfile + "\n  door: {table: discrete_input, address: 2, type: bool}\n"

private let head = """
    site: {name: Test, timezone: UTC}
    state_dir: /tmp/watchroom-test
    buses:
      - {id: lan, tcp: {host: 127.0.0.1}}
    devices:
      - {id: di-1, bus: lan, unit: 1, profile: io}
    shifts:
      - {name: all, start: "00:00", end: "24:00", leader: {name: A}}
    """

/// Things that load but are probably not what the site wants: warnings, located like errors.
struct ConfigWarningTests {
    func load(_ site: String, profiles: [String: String] = ["io": aliasProfile]) throws -> (SiteConfig, ConfigFixture) {
        let fixture = try ConfigFixture(site: site, profiles: profiles)
        defer { fixture.remove() }
        return (try SiteConfigLoader().load(file: fixture.sitePath), fixture)
    }

    @Test("a site that notifies but has no shifts is warned that its messages name nobody on duty")
    func noShifts() throws {
        let (c, f) = try load(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            notify:
              - {id: n, format: standard, url: "http://127.0.0.1:9/x"}
            """)
        expectDiagnostic(c.warnings, file: f.sitePath, line: 7, column: 1, "no shifts", "name nobody")
        #expect(c.warnings.count == 1)
    }

    @Test("a site with shifts and no other oddity has no warnings")
    func noWarnings() throws {
        let (c, _) = try load(head + "\nnotify:\n  - {id: n, format: standard, url: \"http://127.0.0.1:9/x\"}")
        #expect(c.warnings.isEmpty, "\(c.warnings.map(\.description))")
    }

    @Test("two zones reading the same input through different points are warned")
    func sameInputThroughAlias() throws {
        let (c, f) = try load(head + """

            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[2]"}
              - {id: Z02, type: 24h, input: di-1.door}
            """)
        expectDiagnostic(c.warnings, file: f.sitePath, line: 11, column: 33, "Z02", "Z01", "same input")
        #expect(c.warnings.count == 1)
    }

    @Test("two zones sharing a test output are warned: testing one trips the other")
    func sharedTestOutput() throws {
        let (c, f) = try load(head + """

            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]", test: "di-1.relay[1]"}
              - {id: Z02, type: perimeter, input: "di-1.di[1]", test: "di-1.relay[1]"}
            """)
        expectDiagnostic(c.warnings, file: f.sitePath, line: 11, column: 59, "Z02", "Z01", "test output")
        #expect(c.warnings.count == 1)
    }

    @Test("the same reference written twice stays an error")
    func sameReferenceIsAnError() throws {
        let (d, f) = try diagnose(head + """

            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]"}
              - {id: Z02, type: 24h, input: di-1.di}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 33, "already the input of zone 'Z01'")
    }
}
