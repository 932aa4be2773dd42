import Foundation
import Testing

@Suite("watchroomd check-config")
struct CheckConfigCLITests {
    func run(_ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Paths.watchroomd)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("the demo site is valid: exit 0 and a one-line summary with the planned requests")
    func good() throws {
        let (code, out, _) = try run(["check-config", Paths.root.appendingPathComponent("devices/sites/demo.yaml").path])
        #expect(code == 0)
        #expect(out.split(separator: "\n").count == 1)
        #expect(out.contains("2 buses, 6 devices"))
        #expect(out.contains("requests per scan"))
    }

    @Test("every mistake at once, each as file:line:column, exit 2")
    func bad() throws {
        let dir = try Paths.tempDir("cli")
        let file = dir.appendingPathComponent("bad.yaml").path
        try """
        site: {name: 坏配置, timezone: Asia/Shanghai}
        state_dir: /tmp/x
        profiles: [\(Paths.devices)]
        buses:
          - {id: rs485, rtu: {baud: 9600}}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
        zones:
          - {id: Z01, name: 北, type: perimetre, input: "di-1.di[16]"}
        colour: blue
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let (code, _, err) = try run(["check-config", file])
        #expect(code == 2)
        let lines = err.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(file):5:") && $0.contains("missing required key 'device'") })
        #expect(lines.contains { $0.hasPrefix("\(file):7:") && $0.contains("bus 'lan', which is not defined") })
        #expect(lines.contains { $0.hasPrefix("\(file):9:") && $0.contains("unknown type 'perimetre'") })
        #expect(lines.contains { $0.hasPrefix("\(file):10:1:") && $0.contains("unknown key 'colour'") })
    }
}
