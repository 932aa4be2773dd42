import Foundation
import SiteConfig
import Testing

/// Each mistake a maintainer can make is reported at the offending key or value, with a message
/// that says what to fix. Line and column numbers below are counted by hand in the YAML shown.
struct ConfigErrorTests {
    // MARK: keys

    @Test("an unknown top-level key is reported with a did-you-mean hint")
    func unknownTopLevelKey() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zone:
              - {id: Z01, type: perimeter, input: "di-1.di[0]"}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 8, column: 1, "unknown key 'zone'", "(did you mean 'zones'?)")
        #expect(d.count == 1)
    }

    @Test("an unknown key inside a zone is reported with a did-you-mean hint")
    func unknownZoneKey() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]", alarm_whn: false}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 53, "unknown key 'alarm_whn' in zone",
                         "(did you mean 'alarm_when'?)")
        #expect(d.count == 1)
    }

    @Test("a key far from every known key gets no hint")
    func unknownKeyWithoutHint() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io, colour: red}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 48, "unknown key 'colour' in device")
        #expect(d.first?.message.contains("did you mean") == false)
    }

    @Test("a missing required key is reported at the entry that lacks it")
    func missingRequiredKey() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, profile: io}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 5, "device 'di-1' is missing required key 'unit'")
        #expect(d.count == 1)
    }

    @Test("a missing top-level key is reported at the top of the file")
    func missingTopLevelKey() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 1, column: 1, "missing required key 'state_dir'")
        #expect(d.count == 1)
    }

    // MARK: references

    @Test("a device on an undefined bus is reported at the bus name, listing the buses")
    func danglingBus() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lann, unit: 1, profile: io}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 21, "device 'di-1' is on bus 'lann', which is not defined",
                         "buses: lan")
        #expect(d.count == 1)
    }

    @Test(
        "a zone input naming a missing device, point or element is reported at the reference",
        arguments: [
            ("di-9.di[0]", "names device 'di-9', which is not defined"),
            ("di-1.dx[0]", "profile 'io' of device 'di-1' has no point 'dx'; it has: di, relay"),
            ("di-1.di[4]", "index 4 is past the end of point 'di' (4 elements, 0...3)"),
            ("di-1", "must look like DEVICE.POINT or DEVICE.POINT[INDEX]"),
        ])
    func danglingZoneInput(input: String, fragment: String) throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - {id: Z01, type: perimeter, input: "\(input)"}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 39, "zone 'Z01' input '\(input)'", fragment)
        #expect(d.count == 1)
    }

    @Test("a profile that cannot be found is reported at its name")
    func missingProfile() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: no-such-module}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 44, "profile 'no-such-module' not found")
    }

    // MARK: duplicates

    @Test("a duplicate zone id is reported at the second one, naming the first line")
    func duplicateZone() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]"}
              - {id: Z01, type: perimeter, input: "di-1.di[1]"}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 10, "duplicate zone id 'Z01' (first defined at line 9)")
        #expect(d.count == 1)
    }

    @Test("a duplicate device id is reported at the second one, naming the first line")
    func duplicateDevice() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
              - {id: di-1, bus: lan, unit: 2, profile: io}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 8, column: 10, "duplicate device id 'di-1' (first defined at line 7)")
        #expect(d.count == 1)
    }

    // MARK: profiles

    @Test("a profile point past the Modbus address or count limits is reported in the profile file")
    func profileLimits() throws {
        let profile = """
            model: io
            source: "test"
            points:
              di: {table: discrete_input, address: 0, count: 4, type: bool}
              relay: {table: coil, address: 0, count: 4, type: bool}
              tail: {table: holding_register, address: 65535, count: 2}
              wide: {table: input_register, address: 0, count: 126}
            """
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            """, profiles: ["io": profile])
        expectDiagnostic(d, file: f.path("io.yaml"), line: 6, column: 44,
                         "point 'tail' runs past the last Modbus address 65535 (address 65535 + 2)")
        expectDiagnostic(d, file: f.path("io.yaml"), line: 7, column: 52,
                         "point 'wide' spans 126 registers, more than one Modbus read allows (125)")
    }

    @Test("a point wider than the device's own request cap is reported at the cap")
    func pointWiderThanDeviceCap() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io, max_bits_per_request: 2}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 70, "point 'di' spans 4 items, more than this device's cap of 2")
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 70, "point 'relay' spans 4 items")
        #expect(d.count == 2)
    }

    // MARK: buses, zones, site

    @Test("an RTU bus without a serial device is reported at its rtu settings")
    func rtuWithoutDevice() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
              - id: rs485
                rtu: {baud: 9600, parity: E}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 10, "bus 'rs485' rtu", "missing required key 'device'")
        #expect(d.count == 1)
    }

    @Test("an unknown zone type is reported at the type, listing the types")
    func unknownZoneType() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - {id: Z01, type: perimiter, input: "di-1.di[0]"}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 21, "zone 'Z01' has unknown type 'perimiter'",
                         "perimeter, entry_exit, 24h, tamper, fire, panic")
        #expect(d.count == 1)
    }

    @Test("a timezone that is not an IANA name is reported at the value")
    func badTimezone() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: Asia/Shangai}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 1, column: 30, "unknown timezone 'Asia/Shangai'")
        #expect(d.count == 1)
    }

    @Test("recordings kept less than two weeks break the site rule")
    func shortRetention() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            recorders:
              - {id: NVR-1, cameras: [C01], retention_days: 7}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 49, "recorder 'NVR-1' keeps recordings 7 days",
                         "at least 14 days")
        #expect(d.count == 1)
    }

    @Test("a zone camera on no recorder, pruning without a storage path, and a bad approvers list are errors")
    func recordingRules() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - {id: Z01, name: 北围墙, type: perimeter, input: "di-1.di[0]", cameras: [C01, C09]}
            recorders:
              - {id: NVR-1, cameras: [C01], retention_days: 14, prune: true, min_free_percent: 100}
            recordings: {approvers: 赵主任, hold_days: 0}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 5, "zone 'Z01' camera 'C09' is on no recorder")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 60, "has prune: true but no storage_path")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 84, "min_free_percent must be from 0 to below 100")
        expectDiagnostic(d, file: f.sitePath, line: 12, column: 25, "recordings approvers must be a list")
        expectDiagnostic(d, file: f.sitePath, line: 12, column: 41, "hold_days 0 is out of range")
        #expect(d.count == 5, "\(d)")
    }

    @Test("two recorders may not share a storage folder (one's pruning would delete the other's footage)")
    func overlappingStorage() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            recorders:
              - {id: NVR-1, cameras: [C01], storage_path: /srv/nvr}
              - {id: NVR-2, cameras: [C02], storage_path: /srv/nvr/nvr2/}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 5, "recorder 'NVR-2' storage_path /srv/nvr/nvr2/ overlaps recorder 'NVR-1'")
        #expect(d.count == 1, "\(d)")
    }

    @Test(
        "the shifts must cover the day exactly once",
        arguments: [
            ("21:00", "no shift covers 20:00; the shifts must cover all 24 hours"),
            ("19:00", "shifts 'day' and 'night' overlap at 19:00"),
        ])
    func shiftCoverage(nightStart: String, fragment: String) throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            shifts:
              - {name: day, start: "08:00", end: "20:00", leader: {name: A}}
              - {name: night, start: "\(nightStart)", end: "08:00", leader: {name: B}}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 3, fragment)
        #expect(d.count == 1)
    }

    @Test("a YAML syntax error is reported where the parser stopped")
    func yamlSyntaxError() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            """)
        // libyaml stops at the ':' of the next line, where it finds neither ',' nor '}'.
        expectDiagnostic(d, file: f.sitePath, line: 6, column: 8, "YAML syntax: did not find expected ',' or '}'")
        #expect(d.count == 1)
    }

    // MARK: all at once

    @Test("every mistake in a file is reported in one pass, in file order")
    func allMistakesAtOnce() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: Asia/Shangai}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            zones:
              - {id: Z01, type: perimiter, input: "di-1.di[0]"}
            """)
        #expect(d.map(\.line) == [1, 9])
        expectDiagnostic(d, file: f.sitePath, line: 1, column: 30, "unknown timezone")
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 21, "unknown type 'perimiter'")
    }

    @Test("mistakes in a profile and in the site are reported together")
    func profileAndSiteMistakes() throws {
        let profile = ioProfile + "\n  spare: {table: coil, address: 8, typ: bool}\n"
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            recorders:
              - {id: NVR-1, retention_days: 7}
            """, profiles: ["io": profile])
        expectDiagnostic(d, file: f.path("io.yaml"), line: 6, column: 36, "unknown key 'typ'", "(did you mean 'type'?)")
        expectDiagnostic(d, file: f.sitePath, line: 9, column: 33, "keeps recordings 7 days")
        #expect(d.count == 2)
    }

    // MARK: a correct config

    @Test("a correct config loads with its values and the documented defaults")
    func correctConfigLoads() throws {
        let fixture = try ConfigFixture(
            site: """
                site: {name: 东区园区, timezone: Asia/Shanghai}
                state_dir: /var/lib/watchroom
                buses:
                  - id: lan
                    tcp: {host: 10.0.5.21}
                  - id: rs485-1
                    rtu: {device: /dev/ttyUSB0, baud: 19200, parity: E}
                    comm_loss_after: 5
                devices:
                  - {id: di-1, bus: lan, unit: 1, profile: io}
                  - {id: di-2, bus: rs485-1, unit: 7, profile: io, max_bits_per_request: 4}
                zones:
                  - {id: Z01, name: 北围墙, type: perimeter, input: "di-1.di[3]", alarm_when: false, test: "di-1.relay[3]"}
                  - {id: F01, type: fire, input: di-2.di}
                equipment:
                  - {id: door, input: "di-2.di[1]", priority: low}
                shifts:
                  - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
                  - {name: night, start: "20:00", end: "08:00", leader: {name: 李强}}
                """)
        defer { fixture.remove() }
        let c = try SiteConfigLoader().load(file: fixture.sitePath)
        #expect(c.siteName == "东区园区")
        #expect(c.timezone == "Asia/Shanghai")
        #expect(c.controlSocket == "/run/watchroom/control.sock")
        let lan = try #require(c.bus("lan"))
        #expect(lan.source == .modbus(.tcp(host: "10.0.5.21", port: 502)))
        #expect(lan.commLossAfter == 3)
        #expect(lan.gapFill == 8)
        #expect(lan.pollInterval == .milliseconds(1000))
        let rtu = try #require(c.bus("rs485-1"))
        #expect(rtu.source == .modbus(.rtu(SerialLine(device: "/dev/ttyUSB0", baud: 19200, parity: "E"))))
        #expect(rtu.commLossAfter == 5)
        #expect(c.device("di-2")?.maxBitsPerRequest == 4)
        #expect(c.device("di-1")?.maxRegistersPerRequest == 125)
        #expect(c.device("di-2")?.profile.point(named: "di")?.count == 4)

        let z01 = try #require(c.zones.first)
        #expect(z01.name == "北围墙")
        #expect(z01.input == PointRef(device: "di-1", point: "di", index: 3))
        #expect(z01.test == PointRef(device: "di-1", point: "relay", index: 3))
        #expect(z01.alarmWhen == false)
        #expect(z01.priority == .high)
        let f01 = try #require(c.zones.last)
        #expect(f01.name == "F01")
        #expect(f01.input == PointRef(device: "di-2", point: "di", index: 0))
        #expect(f01.alarmWhen == true)
        #expect(f01.priority == .critical)
        #expect(c.equipment.first?.alarmWhen == .bool(true))
        #expect(c.equipment.first?.priority == .low)
        #expect(c.shifts.map(\.start) == [480, 1200])
        #expect(c.shifts.map(\.leader.name) == ["张伟", "李强"])
    }
}
