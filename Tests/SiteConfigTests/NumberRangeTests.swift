import Foundation
import SiteConfig
import Testing

/// A temperature transmitter: the profile of the numeric-key fixtures (profile name `th`).
/// `SCALE` and `OFFSET` are replaced by each case.
private let thProfile = """
    model: th
    source: "test fixture"
    points:
      temperature: {table: input_register, address: 1, type: int16, scale: SCALE, offset: OFFSET}
      mode: {table: holding_register, address: 2, type: uint16, values: {CODE: heating}}
    """

private let base = """
    site: {name: Test, timezone: UTC}
    state_dir: /tmp/watchroom-test
    buses:
      - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
    devices:
      - {id: th-1, bus: lan, unit: 1, profile: th}
    """

/// One number of the config (or of a profile) written as `VALUE`.
struct NumericKey: Sendable, CustomTestStringConvertible {
    let key: String
    /// Lines appended to the base site; `VALUE` marks the number.
    let site: String
    /// When the number is in the profile, the profile's placeholder (`SCALE`, `OFFSET`, `CODE`).
    var profilePlaceholder: String?
    var testDescription: String { key }

    static let all: [NumericKey] = [
        NumericKey(key: "low", site: "sensors:\n  - {id: s, input: th-1.temperature, low: VALUE}"),
        NumericKey(key: "high", site: "sensors:\n  - {id: s, input: th-1.temperature, high: VALUE}"),
        NumericKey(key: "deadband", site: "sensors:\n  - {id: s, input: th-1.temperature, high: 40, deadband: VALUE}"),
        NumericKey(key: "delay_s", site: "sensors:\n  - {id: s, input: th-1.temperature, high: 40, delay_s: VALUE}"),
        NumericKey(key: "alarm_when", site: "equipment:\n  - {id: e, input: th-1.temperature, alarm_when: VALUE}"),
        NumericKey(key: "group_window_s",
                   site: "notify:\n  - {id: n, format: standard, url: \"http://127.0.0.1:9/x\", group_window_s: VALUE}"),
        NumericKey(key: "rate_per_minute",
                   site: "notify:\n  - {id: n, format: standard, url: \"http://127.0.0.1:9/x\", rate_per_minute: VALUE}"),
        NumericKey(key: "timeout_s", site: "notify:\n  - {id: n, format: standard, url: \"http://127.0.0.1:9/x\", timeout_s: VALUE}"),
        NumericKey(key: "retry_max_s",
                   site: "notify:\n  - {id: n, format: standard, url: \"http://127.0.0.1:9/x\", retry_max_s: VALUE}"),
        NumericKey(key: "walk_window_min", site: "self_test: {walk_window_min: VALUE}"),
        NumericKey(key: "min_free_percent", site: "recorders:\n  - {id: r, retention_days: 14, min_free_percent: VALUE}"),
        NumericKey(key: "retention_days", site: "recorders:\n  - {id: r, retention_days: VALUE}"),
        NumericKey(key: "ack_timeout_s", site: "escalation: {ack_timeout_s: VALUE}"),
        NumericKey(key: "max_shelve_minutes", site: "alarms: {max_shelve_minutes: VALUE}"),
        NumericKey(key: "keep_events_days", site: "journal: {keep_events_days: VALUE}"),
        NumericKey(key: "scale", site: "", profilePlaceholder: "SCALE"),
        NumericKey(key: "offset", site: "", profilePlaceholder: "OFFSET"),
        NumericKey(key: "enum value", site: "", profilePlaceholder: "CODE"),
    ]
}

/// Where `marker` first appears in `text`: line and column (1-based, counted in Unicode scalars as libyaml does).
private func position(of marker: String, in text: String) -> (line: Int, column: Int) {
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if let r = line.range(of: marker) {
            return (i + 1, line.unicodeScalars.distance(from: line.startIndex, to: r.lowerBound) + 1)
        }
    }
    return (0, 0)
}

/// Every number of a config has a range: NaN, infinities and values whose conversion would
/// overflow (1e308 seconds) are reported at the value, never handed to the daemon.
struct NumberRangeTests {
    static let unusable = ["nan", "NaN", ".nan", "inf", "-.inf", "1e308", "-1e308", "1e400"]

    func load(_ key: NumericKey, value: String) throws -> (diagnostics: [Diagnostic], file: String, line: Int, column: Int) {
        var profile = thProfile.replacingOccurrences(of: "SCALE", with: "0.1")
            .replacingOccurrences(of: "OFFSET", with: "0").replacingOccurrences(of: "CODE", with: "1")
        var site = base
        if let p = key.profilePlaceholder {
            profile = thProfile.replacingOccurrences(of: p, with: "VALUE")
            for (other, fill) in [("SCALE", "0.1"), ("OFFSET", "0"), ("CODE", "1")] where other != p {
                profile = profile.replacingOccurrences(of: other, with: fill)
            }
        } else {
            site += "\n" + key.site
        }
        let at = key.profilePlaceholder == nil ? position(of: "VALUE", in: site) : position(of: "VALUE", in: profile)
        let (d, f) = try diagnose(site.replacingOccurrences(of: "VALUE", with: value),
                                  profiles: ["th": profile.replacingOccurrences(of: "VALUE", with: value)])
        return (d, key.profilePlaceholder == nil ? f.sitePath : f.path("th.yaml"), at.line, at.column)
    }

    @Test("NaN, infinities and overflowing numbers are reported at the value, naming the key",
          arguments: NumericKey.all, unusable)
    func unusableNumber(key: NumericKey, value: String) throws {
        let (d, file, line, column) = try load(key, value: value)
        let here = d.filter { $0.file == file && $0.line == line && $0.column == column }
        #expect(here.count == 1, "\(key.key): \(value): \(d.map(\.description))")
        #expect(here.first?.message.contains(key.key) == true, "\(here.map(\.description))")
    }

    @Test("a number out of range says the range it must be in")
    func rangeIsNamed() throws {
        let key = NumericKey.all.first { $0.key == "group_window_s" }!
        let (d, file, line, column) = try load(key, value: "86400")
        expectDiagnostic(d, file: file, line: line, column: column, "group_window_s", "0", "3600")
        #expect(d.count == 1)
    }

    @Test("an enum code must fit a 32-bit register value")
    func enumCodeRange() throws {
        let key = NumericKey.all.first { $0.key == "enum value" }!
        let (d, file, line, column) = try load(key, value: "99999999999")
        expectDiagnostic(d, file: file, line: line, column: column, "enum value", "out of range")
        #expect(d.count == 1)
    }

    @Test("a scale of 0 would make every reading the offset (and a write divide by zero)")
    func zeroScale() throws {
        let key = NumericKey.all.first { $0.key == "scale" }!
        let (d, file, line, column) = try load(key, value: "0")
        expectDiagnostic(d, file: file, line: line, column: column, "scale", "0")
        #expect(d.count == 1)
    }

    @Test("ordinary numbers still load")
    func ordinaryNumbers() throws {
        let fixture = try ConfigFixture(
            site: base + """

                sensors:
                  - {id: s, input: th-1.temperature, low: -20.5, high: 1e3, deadband: 0.5}
                notify:
                  - {id: n, format: standard, url: "http://127.0.0.1:9/x", group_window_s: 2.5}
                self_test: {walk_window_min: 0.5}
                """,
            profiles: ["th": thProfile.replacingOccurrences(of: "SCALE", with: "-0.01")
                .replacingOccurrences(of: "OFFSET", with: "-40").replacingOccurrences(of: "CODE", with: "0x10")])
        defer { fixture.remove() }
        let c = try SiteConfigLoader().load(file: fixture.sitePath)
        #expect(c.sensors.first?.low == -20.5)
        #expect(c.sensors.first?.high == 1000)
        #expect(c.notify.first?.groupWindowSeconds == 2.5)
        #expect(c.walkTestWindowMinutes == 0.5)
        #expect(c.device("th-1")?.profile.point(named: "temperature")?.scale == -0.01)
        #expect(c.device("th-1")?.profile.point(named: "mode")?.labels?[16] == "heating")
    }
}
