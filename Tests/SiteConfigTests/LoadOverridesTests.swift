import Foundation
import SiteConfig
import Testing

/// `SiteConfigLoader(overrides:)`: values that replace the file's, applied and checked during the
/// load, so a loaded config is never changed afterwards (the demo's state folder and ports).
struct LoadOverridesTests {
    static let site = """
        site: {name: Test, timezone: UTC}
        state_dir: /var/lib/watchroom
        buses:
          - {id: lan, tcp: {host: 10.0.5.21, port: 502}}
        devices:
          - {id: di-1, bus: lan, unit: 0, profile: io}
        """

    @Test("state_dir, the control socket and a bus's source are replaced by the overrides")
    func replaced() throws {
        let fixture = try ConfigFixture(site: Self.site)
        defer { fixture.remove() }
        let plain = try SiteConfigLoader().load(file: fixture.sitePath)
        #expect(plain.stateDir == "/var/lib/watchroom")
        let overrides = LoadOverrides(stateDir: "/tmp/demo", controlSocket: "/tmp/demo/control.sock",
                                      busSources: ["lan": .modbus(.tcp(host: "127.0.0.1", port: 40123))])
        let c = try SiteConfigLoader(overrides: overrides).load(file: fixture.sitePath)
        #expect(c.stateDir == "/tmp/demo")
        #expect(c.controlSocket == "/tmp/demo/control.sock")
        #expect(c.bus("lan")?.source == .modbus(.tcp(host: "127.0.0.1", port: 40123)))
        #expect(c.bus("lan")?.pollInterval == plain.bus("lan")?.pollInterval, "the rest of the bus is the file's")
    }

    @Test("a source for a bus the config does not define is an error at 'buses', naming the buses")
    func unknownBus() throws {
        let fixture = try ConfigFixture(site: Self.site)
        defer { fixture.remove() }
        let overrides = LoadOverrides(busSources: ["rs485-9": .modbus(.tcp(host: "127.0.0.1", port: 1))])
        let error = try #require(throws: ConfigError.self) { try SiteConfigLoader(overrides: overrides).load(file: fixture.sitePath) }
        expectDiagnostic(error.diagnostics, file: fixture.sitePath, line: 3, column: 1, "bus 'rs485-9'", "does not define", "buses: lan")
        #expect(error.diagnostics.count == 1, "\(error.diagnostics.map(\.description))")
    }

    @Test("an overriding source is checked like the file's: an RTU line brings the RTU unit ids")
    func checkedLikeTheFile() throws {
        let fixture = try ConfigFixture(site: Self.site)
        defer { fixture.remove() }
        let overrides = LoadOverrides(busSources: ["lan": .modbus(.rtu(SerialLine(device: "/dev/ttyUSB0")))])
        let error = try #require(throws: ConfigError.self) { try SiteConfigLoader(overrides: overrides).load(file: fixture.sitePath) }
        expectDiagnostic(error.diagnostics, file: fixture.sitePath, line: 6, column: 32, "unit 0", "RTU unit ids are 1...247")
    }
}
