import Foundation
import SiteConfig
import Testing

/// What the YAML layer itself gives the loader: anchors and aliases, duplicate keys at any depth,
/// syntax errors where libyaml stopped, YAML's nulls and quoted numbers, and a big site read whole.
struct ConfigYAMLTests {
    private static let head = """
        site: {name: Test, timezone: UTC}
        state_dir: /tmp/watchroom-test

        """

    private func loaded(_ site: String, profiles: [String: String] = ["io": ioProfile]) throws -> SiteConfig {
        let fixture = try ConfigFixture(site: site, profiles: profiles)
        defer { fixture.remove() }
        return try SiteConfigLoader().load(file: fixture.sitePath)
    }

    // MARK: anchors and aliases

    @Test("an alias reads the node its anchor names: a mapping and a scalar")
    func anchorsAndAliases() throws {
        let site = try loaded(Self.head + """
            buses:
              - {id: lan, tcp: &plc {host: 10.1.2.3, port: 1502}, timeout_ms: &t 700}
              - {id: lan2, tcp: *plc, timeout_ms: *t}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io, name: &n Door panel}
              - {id: di-2, bus: lan2, unit: 1, profile: io, name: *n}
            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]"}
            """)
        #expect(site.buses.count == 2)
        #expect(site.buses[0].source == site.buses[1].source)
        #expect(site.buses[1].timeout == .milliseconds(700))
        #expect(site.devices.map(\.name) == ["Door panel", "Door panel"])
    }

    @Test("an alias with no anchor before it is refused where it is written")
    func unknownAlias() throws {
        let (d, f) = try diagnose(Self.head + """
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io, name: *nowhere}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 6, column: 54, "found undefined alias")
        #expect(d.count == 1, "\(d.map(\.description))")
    }

    // MARK: duplicate keys

    @Test("duplicate keys in nested mappings are each reported at their own use, naming the first")
    func nestedDuplicates() throws {
        let (d, f) = try diagnose(Self.head + """
            buses:
              - id: lan
                tcp:
                  host: 127.0.0.1
                  port: 1502
                  host: 127.0.0.2
                rtu_unused: 1
            devices:
              - id: di-1
                bus: lan
                unit: 1
                profile: io
                name: A
                name: B
            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]", name: {x: 1, y: 2, x: 3}}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 8, column: 7, "duplicate key 'host'", "line 6, column 7")
        expectDiagnostic(d, file: f.sitePath, line: 16, column: 5, "duplicate key 'name'", "line 15, column 5")
        expectDiagnostic(d, file: f.sitePath, line: 18, column: 72, "duplicate key 'x'", "line 18, column 60")
        #expect(d.filter { $0.message.contains("duplicate key") }.count == 3, "\(d.map(\.description))")
    }

    @Test("the later use of a duplicate key is the one read", arguments: [("300", "99999999", true), ("99999999", "300", false)])
    func laterValueWins(first: String, second: String, outOfRange: Bool) throws {
        let (d, _) = try diagnose(Self.head + """
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}, timeout_ms: \(first), timeout_ms: \(second)}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            """)
        #expect(d.contains { $0.message.contains("duplicate key 'timeout_ms'") })
        #expect(d.contains { $0.message.contains("out of range") } == outOfRange, "\(d.map(\.description))")
    }

    // MARK: syntax

    @Test("a value after a plain value on one line is a syntax error at libyaml's mark")
    func mappingValueNotAllowed() throws {
        let (d, f) = try diagnose(Self.head + """
            buses:
              - id: lan: two
            """)
        expectDiagnostic(d, file: f.sitePath, line: 4, column: 12, "YAML syntax: mapping values are not allowed in this context")
        #expect(d.count == 1, "\(d.map(\.description))")
    }

    @Test("a bad indentation is a syntax error at libyaml's mark")
    func badIndentation() throws {
        let (d, f) = try diagnose(Self.head + """
            buses:
              - id: lan
               tcp: {host: 127.0.0.1}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 5, column: 4, "YAML syntax: did not find expected '-' indicator")
        #expect(d.count == 1, "\(d.map(\.description))")
    }

    @Test("an empty file, or one of comments only, says the file is empty", arguments: ["", "# nothing yet\n"])
    func emptyFile(text: String) throws {
        let (d, f) = try diagnose(text)
        expectDiagnostic(d, file: f.sitePath, line: 1, column: 1, "the file is empty")
        #expect(d.count == 1)
    }

    @Test("a second document in the file is refused at its start")
    func secondDocument() throws {
        let (d, f) = try diagnose(Self.head + """
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            ---
            zones: []
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 1, "another document")
        #expect(d.count == 1, "\(d.map(\.description))")
    }

    // MARK: nulls and quoted numbers

    // `sensors`, not `zones`: the zones list is read for instructions too, which refuses a null.
    @Test("a plain ~, null or nothing is no list; a quoted one is text", arguments: [
        ("~", false), ("null", false), ("NULL", false), ("", false), ("\"~\"", true), ("'null'", true), ("\"\"", true),
    ])
    func nulls(value: String, refused: Bool) throws {
        let (d, f) = try diagnose(Self.head + """
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            sensors: \(value)
            """)
        if refused {
            expectDiagnostic(d, file: f.sitePath, line: 7, column: 10, "sensors must be a list")
        } else {
            #expect(d.isEmpty, "\(d.map(\.description))")
        }
    }

    @Test("a quoted number reads as the number; quoted yes is true")
    func quotedNumbers() throws {
        let site = try loaded(Self.head + """
            buses:
              - {id: lan, tcp: {host: 127.0.0.1, port: "1502"}, timeout_ms: '0x12c'}
            devices:
              - {id: di-1, bus: lan, unit: "7", profile: io}
            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]", alarm_when: "no"}
            """)
        #expect(site.devices.first?.unit == 7)
        #expect(site.buses.first?.timeout == .milliseconds(300))
        #expect(site.zones.first?.alarmWhen == false)
    }

    // MARK: a big site

    @Test("2,000 zones load to the zones written, in order")
    func bigSite() throws {
        let devices = 40, perDevice = 50
        let profile = """
            model: wide
            source: "test fixture"
            points:
              di: {table: discrete_input, address: 0, count: 64, type: bool}
              relay: {table: coil, address: 0, count: 64, type: bool}
            """
        var text = Self.head + "buses:\n  - {id: lan, tcp: {host: 127.0.0.1, port: 1502}, timeout_ms: 500}\ndevices:\n"
        for u in 1...devices { text += "  - {id: d\(u), bus: lan, unit: \(u), profile: wide}\n" }
        text += "zones:\n"
        var expected: [Zone] = []
        let types = ZoneType.allCases
        for u in 1...devices {
            for i in 0..<perDevice {
                let type = types[(u + i) % types.count]
                let name = "防区 \(u)-\(i) of the east wing"
                if i % 2 == 0 {
                    text += "  - {id: d\(u)z\(i), name: \(name), type: \(type.rawValue), input: \"d\(u).di[\(i)]\"}\n"
                    expected.append(Zone(id: "d\(u)z\(i)", name: name, type: type, input: PointRef(device: "d\(u)", point: "di", index: i)))
                } else {
                    text += """
                          - id: d\(u)z\(i)
                            name: '\(name)'
                            type: \(type.rawValue)
                            input: d\(u).di[\(i)]
                            test: "d\(u).relay[\(i)]"
                            priority: high

                        """
                    expected.append(Zone(id: "d\(u)z\(i)", name: name, type: type, input: PointRef(device: "d\(u)", point: "di", index: i),
                                         test: PointRef(device: "d\(u)", point: "relay", index: i), priority: .high))
                }
            }
        }
        let site = try loaded(text, profiles: ["wide": profile])
        #expect(site.zones.count == devices * perDevice)
        #expect(site.zones == expected)
        #expect(site.devices.map(\.id) == (1...devices).map { "d\($0)" })
        #expect(site.devices.map(\.unit) == Array(1...devices))
    }
}
