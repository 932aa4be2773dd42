import Foundation
import SiteConfig
import Testing

private func site(bus: String, unit: String) -> String {
    """
    site: {name: Test, timezone: UTC}
    state_dir: /tmp/watchroom-test
    buses:
      - \(bus)
    devices:
      - {id: di-1, bus: b, unit: \(unit), profile: io}
    """
}

private let tcpBus = "{id: b, tcp: {host: 127.0.0.1}}"
private let rtuBus = "{id: b, rtu: {device: /dev/ttyUSB0}}"

/// Values that YAML accepts and Modbus or the service cannot use.
struct ConfigRuleTests {
    @Test("unit ids 248-254 are reserved on every bus", arguments: [248, 250, 254])
    func reservedUnitIDs(unit: Int) throws {
        for bus in [tcpBus, rtuBus] {
            let (d, f) = try diagnose(site(bus: bus, unit: "\(unit)"))
            expectDiagnostic(d, file: f.sitePath, line: 6, column: 30, "unit \(unit)", "248-254")
            #expect(d.count == 1, "\(bus): \(d.map(\.description))")
        }
    }

    @Test("a TCP device may use 0 or 255 (a device that ignores the unit id); a serial one may not",
          arguments: [0, 255])
    func broadcastAndIgnoredUnitIDs(unit: Int) throws {
        #expect(try diagnose(site(bus: tcpBus, unit: "\(unit)")).diagnostics.isEmpty)
        let (d, f) = try diagnose(site(bus: rtuBus, unit: "\(unit)"))
        expectDiagnostic(d, file: f.sitePath, line: 6, column: 30, "RTU unit ids are 1...247")
        #expect(d.count == 1)
    }

    @Test("an empty serial device path is reported at the value", arguments: ["\"\"", "\"  \"", "''"])
    func emptySerialDevice(path: String) throws {
        let (d, f) = try diagnose(site(bus: "{id: b, rtu: {device: \(path)}}", unit: "1"))
        expectDiagnostic(d, file: f.sitePath, line: 4, column: 27, "serial device", "empty")
        #expect(d.count == 1)
    }

    @Test("a notify URL that does not parse is reported without its secret")
    func badURLIsRedacted() throws {
        let (d, f) = try diagnose(
            """
            site: {name: Test, timezone: UTC}
            state_dir: /tmp/watchroom-test
            buses:
              - {id: lan, tcp: {host: 127.0.0.1}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: io}
            notify:
              - id: bot
                format: wecom
                url: "https://qyapi.weixin.qq.com:44x3/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
            """)
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 10, "not a valid URL", "key=***")
        #expect(!d.contains { $0.message.contains("693a91f6") }, "\(d.map(\.description))")
    }
}
