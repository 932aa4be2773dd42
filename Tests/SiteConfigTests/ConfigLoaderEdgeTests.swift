import Foundation
import SiteConfig
import Testing

/// Loader defects found while writing these tests. Each test states the correct behaviour; the
/// current code fails it, so the failure is recorded as a known issue until Sources are fixed.
struct ConfigLoaderEdgeTests {
    @Test("a config named without a folder (site.yaml, ./site.yaml) loads from the working directory")
    func bareConfigFileName() async {
        // SiteConfigLoader.searchPath calls ("." as NSString).deletingLastPathComponent, which traps
        // (SIGILL) in swift-corelibs-foundation 6.3; run in a child process so the trap cannot end the run.
        await #expect(processExitsWith: .success) {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-cwd-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try """
                site: {name: Test, timezone: UTC}
                state_dir: /tmp/watchroom-test
                buses:
                  - {id: lan, tcp: {host: 127.0.0.1}}
                devices:
                  - {id: di-1, bus: lan, unit: 1, profile: io}
                """.write(to: dir.appendingPathComponent("site.yaml"), atomically: true, encoding: .utf8)
            try ioProfile.write(to: dir.appendingPathComponent("io.yaml"), atomically: true, encoding: .utf8)
            guard FileManager.default.changeCurrentDirectoryPath(dir.path) else { exit(3) }
            _ = try SiteConfigLoader().load(file: "site.yaml")
            _ = try SiteConfigLoader().load(file: "./site.yaml")
        }
    }

    @Test("a bit point wider than max_bits_per_request is reported at max_bits_per_request")
    func bitCapLocation() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io, max_registers_per_request: 10, max_bits_per_request: 2}
            """)
        // Column 75 is the register cap (10), column 101 the bit cap (2) that the points exceed.
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 101, "point 'di' spans 4 items")
    }

    @Test("two buses on one serial device are reported at the second bus's device, not at 1:1")
    func sharedSerialDeviceLocation() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: a
                rtu: {device: /dev/ttyUSB0}
              - id: b
                rtu: {device: /dev/ttyUSB0}
            devices:
              - {id: di-1, bus: a, unit: 1, profile: io}
            """)
        #expect(d.count == 1)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 19, "both use serial device /dev/ttyUSB0")
    }

    @Test("a single shift from 00:00 to 24:00 covers the whole day")
    func oneShiftAllDay() throws {
        let (d, _) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            shifts:
              - {name: all, start: "00:00", end: "24:00", leader: {name: A}}
            """)
        #expect(d.isEmpty, "\(d.map(\.description))")
    }

    @Test("a device whose profile is missing is not also called undefined by its zones")
    func noCascadeFromMissingProfile() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - id: lan
                tcp: {host: 127.0.0.1, port: 1502}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: no-such-module}
            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]"}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 44, "profile 'no-such-module' not found")
        #expect(!d.contains { $0.message.contains("names device 'di-1', which is not defined") }, "\(d)")
    }
}
