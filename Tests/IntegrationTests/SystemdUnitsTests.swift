import Foundation
import Testing

@Suite("systemd units")
struct SystemdUnitsTests {
    @Test("systemd-analyze verify accepts every unit and timer (ExecStart pointing at the built binaries)")
    func verify() async throws {
        let dir = try Paths.tempDir("units")
        let bin = URL(fileURLWithPath: Paths.watchroomd).deletingLastPathComponent().path + "/"
        let units = try FileManager.default.contentsOfDirectory(atPath: Paths.root.appendingPathComponent("systemd").path)
            .filter { $0.hasSuffix(".service") || $0.hasSuffix(".timer") }.sorted()
        #expect(units == ["watchroom-equipment-check.service", "watchroom-equipment-check.timer", "watchroom-zone-selftest.service",
                          "watchroom-zone-selftest.timer", "watchroomd.service"])
        for u in units {
            let text = try String(contentsOf: Paths.root.appendingPathComponent("systemd/\(u)"), encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/", with: bin)
                .write(to: dir.appendingPathComponent(u), atomically: true, encoding: .utf8)
        }
        let r = try await runToExit("/usr/bin/systemd-analyze",
                                    ["verify", "--recursive-errors=no"] + units.map { dir.appendingPathComponent($0).path },
                                    currentDirectory: dir)
        let output = r.out + r.err
        #expect(r.status == 0, "\(output)")
        #expect(output.isEmpty, "\(output)")
    }

    @Test("the daemon unit is Type=notify with a watchdog, restarts on failure and is hardened")
    func hardening() throws {
        let unit = try String(contentsOf: Paths.root.appendingPathComponent("systemd/watchroomd.service"), encoding: .utf8)
        for line in ["Type=notify", "WatchdogSec=", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID", "ProtectSystem=strict",
                     "StateDirectory=watchroom", "DevicePolicy=closed", "DeviceAllow=char-ttyUSB rw", "SupplementaryGroups=dialout",
                     "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                     "SystemCallFilter=@system-service"] {
            #expect(unit.contains(line), "missing \(line)")
        }
        let timer = try String(contentsOf: Paths.root.appendingPathComponent("systemd/watchroom-zone-selftest.timer"), encoding: .utf8)
        #expect(timer.contains("OnCalendar=*-*-* 19:00:00") && timer.contains("Persistent=true"))
    }
}
