import Daemon
import Foundation
import SiteConfig
import Testing

/// The wording slips a new user found: counts, the bus text, the reload command, cited documents.
struct WordingTests {
    @Test("check-config says 1 bus, 1 device, 1 request, and --plan writes an RTU bus as rtu:/dev/ttyUSB0 9600 8N1")
    func countsAndPlan() throws {
        let dir = try Paths.tempDir("wording")
        let yaml = """
            site: {name: 测试, timezone: Asia/Shanghai}
            state_dir: \(dir.path)
            profiles: [\(Paths.root.appendingPathComponent("devices").path)]
            buses:
              - {id: rs485, rtu: {device: /dev/ttyUSB0, baud: 9600, parity: "N", data_bits: 8, stop_bits: 1}}
            devices:
              - {id: th-1, bus: rs485, unit: 1, profile: xy-md02}
            sensors:
              - {id: room-temp, name: 监控室温度, input: th-1.temperature, low: 5, high: 40}
            """
        let file = dir.appendingPathComponent("site.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let config = try ConfigCheck.load(file: file)
        let summary = ConfigCheck.summary(config)
        #expect(summary.contains(": 1 bus, 1 device, 1 point, 1 request per scan (0 zones, 1 sensor, 0 equipment, 0 recorders)"), "\(summary)")
        let plan = ConfigCheck.plan(config)
        #expect(plan.contains("bus rs485 rtu:/dev/ttyUSB0 9600 8N1 every"), "\(plan)")
        #expect(plan.contains("(xy-md02): 1 request, one per point would be 1"), "\(plan)")
        #expect(Count.of(1, "bus", "buses") == "1 bus" && Count.of(2, "bus", "buses") == "2 buses" && Count.of(0, "zone") == "0 zones")
    }

    @Test("the example site reloads the unit that exists, and no profile cites a document the repository does not have")
    func citations() throws {
        let example = try String(contentsOf: Paths.root.appendingPathComponent("devices/sites/example-site.yaml"), encoding: .utf8)
        #expect(example.contains("systemctl reload watchroomd "))
        #expect(!example.contains("systemctl reload watchroom "))
        let devices = Paths.root.appendingPathComponent("devices")
        for f in try FileManager.default.contentsOfDirectory(atPath: devices.path) where f.hasSuffix(".yaml") {
            let text = try String(contentsOf: devices.appendingPathComponent(f), encoding: .utf8)
            for doc in ["DESIGN.md", "REFERENCE.md"] where text.contains(doc) {
                #expect(FileManager.default.fileExists(atPath: Paths.root.appendingPathComponent("docs/\(doc)").path), "\(f) cites \(doc)")
            }
        }
    }
}
