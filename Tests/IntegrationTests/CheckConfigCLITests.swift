import Foundation
import Testing

@Suite("watchroomd check-config")
struct CheckConfigCLITests {
    func run(_ args: [String], environment: [String: String] = [:]) async throws -> (Int32, String, String) {
        let r = try await runToExit(Paths.watchroomd, args, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        return (r.status ?? -1, r.out, r.err)
    }

    @Test("the demo site is valid: exit 0 and a one-line summary with the planned requests")
    func good() async throws {
        let (code, out, _) = try await run(["check-config", Paths.root.appendingPathComponent("devices/sites/demo.yaml").path])
        #expect(code == 0)
        #expect(out.split(separator: "\n").count == 1)
        #expect(out.contains("2 buses, 6 devices"))
        #expect(out.contains("requests per scan"))
    }

    @Test("every mistake at once, each as file:line:column, exit 2")
    func bad() async throws {
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
        let (code, _, err) = try await run(["check-config", file])
        #expect(code == 2)
        let lines = err.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(file):5:") && $0.contains("missing required key 'device'") })
        #expect(lines.contains { $0.hasPrefix("\(file):7:") && $0.contains("bus 'lan', which is not defined") })
        #expect(lines.contains { $0.hasPrefix("\(file):9:") && $0.contains("unknown type 'perimetre'") })
        #expect(lines.contains { $0.hasPrefix("\(file):10:1:") && $0.contains("unknown key 'colour'") })
    }

    /// A small valid site in a fresh folder, with `extra` appended; returns the file.
    func writeSite(_ name: String, _ extra: String, control: String = "") throws -> String {
        let dir = try Paths.tempDir(name)
        let file = dir.appendingPathComponent("site.yaml").path
        try """
        site: {name: 测试, timezone: Asia/Shanghai}
        state_dir: \(dir.path)
        profiles: [\(Paths.devices)]
        \(control)
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
        shifts:
          - {name: all, start: "00:00", end: "24:00", leader: {name: 张伟}}
        \(extra)
        """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("a notify pacing of NaN or 1e308 seconds is refused at the value (it crashed the daemon)", arguments: ["nan", "1e308"])
    func unusableGroupWindow(value: String) async throws {
        let file = try writeSite("cli-nan", """
            notify:
              - {id: hook, format: standard, url: "http://127.0.0.1:9/hook", group_window_s: \(value)}
            """)
        let (code, _, err) = try await run(["check-config", file])
        #expect(code == 2)
        #expect(err.contains("\(file):12:82: group_window_s"), "\(err)")
    }

    @Test("warnings are printed with file:line:column and keep exit 0")
    func warnings() async throws {
        let file = try writeSite("cli-warn", """
            zones:
              - {id: Z01, type: perimeter, input: "di-1.di[0]", test: "di-1.relay[0]"}
              - {id: Z02, type: perimeter, input: "di-1.di[1]", test: "di-1.relay[0]"}
            """)
        let (code, out, err) = try await run(["check-config", file])
        #expect(code == 0, "\(err)")
        #expect(out.hasPrefix("ok: "))
        #expect(err.contains("\(file):13:59: warning: "), "\(err)")
    }

    @Test("an unknown control group is an error: operators could not use the socket")
    func unknownGroup() async throws {
        let file = try writeSite("cli-group", "", control: "control: {socket: /tmp/x.sock, group: no-such-group-watchroom}")
        let (code, _, err) = try await run(["check-config", file])
        #expect(code == 2)
        #expect(err.contains("\(file):4:39: ") && err.contains("no-such-group-watchroom"), "\(err)")
        // A group that exists (the test's own) is fine.
        let mine = String(cString: getgrgid(getgid()).pointee.gr_name)
        let ok = try writeSite("cli-group-ok", "", control: "control: {socket: /tmp/x.sock, group: \(mine)}")
        #expect(try await run(["check-config", ok]).0 == 0)
    }

    @Test("the example site passes on its own host; elsewhere --skip-host-checks leaves out its group and secret")
    func exampleSiteElsewhere() async throws {
        let (code, out, err) = try await run(["check-config", "--skip-host-checks",
                                        Paths.root.appendingPathComponent("devices/sites/example-site.yaml").path])
        #expect(code == 0, "\(err)")
        #expect(out.hasPrefix("ok: "))
    }

    @Test("a secret_file the service cannot read and a secret_env it does not have are errors; present ones pass")
    func secrets() async throws {
        let file = try writeSite("cli-secret", """
            notify:
              - {id: ding, format: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret_file: /nonexistent/ding.secret}
              - {id: fs, format: feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret_env: WATCHROOM_TEST_FS_SECRET}
            """)
        let (code, _, err) = try await run(["check-config", file], environment: ["WATCHROOM_TEST_FS_SECRET": ""])
        #expect(code == 2)
        #expect(err.contains("\(file):12:") && err.contains("/nonexistent/ding.secret"), "\(err)")
        #expect(err.contains("\(file):13:") && err.contains("WATCHROOM_TEST_FS_SECRET"), "\(err)")

        let secret = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("ding.secret").path
        try "\n".write(toFile: secret, atomically: true, encoding: .utf8)
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "/nonexistent/ding.secret", with: secret)
            .write(toFile: file, atomically: true, encoding: .utf8)
        let empty = try await run(["check-config", file], environment: ["WATCHROOM_TEST_FS_SECRET": "SEC456"])
        #expect(empty.0 == 2)
        #expect(empty.2.contains("\(file):12:") && empty.2.contains("is empty"), "\(empty.2)")

        try "SEC0123\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let good = try await run(["check-config", file], environment: ["WATCHROOM_TEST_FS_SECRET": "SEC456"])
        #expect(good.0 == 0, "\(good.2)")
    }
}
