import Control
import Foundation
import Records
import Testing

/// `watchroomctl status` and `watchroomctl handover` say which visitors inside wait for their
/// named approver's own `visitor approve`, and whose, in text and in JSON. Root calls (root is
/// admin): naming another approver makes the visit wait for them.
@Suite("Visitors awaiting approval in status and the handover", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: getuid() == 0, "needs root: root is the site's admin on the control socket (CI runs as root)"))
struct VisitorsAwaitingProcessTests {
    /// A daemon with users (an operator, a director) and one visitor registered naming the director.
    private func withWaitingVisitor(_ name: String, _ body: ([String]) async throws -> Void) async throws {
        let dir = try Paths.tempDir(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let socket = dir.appendingPathComponent("control.sock").path
        let config = dir.appendingPathComponent("site.yaml").path
        try """
        site: {name: 来访测试, timezone: Asia/Shanghai}
        state_dir: \(dir.path)
        control: {socket: \(socket)}
        profiles: [\(Paths.devices)]
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: \(try freePort())}, poll_interval_ms: 200, timeout_ms: 200}
        devices:
          - {id: d1, bus: lan, unit: 1, profile: generic-di-16}
        zones:
          - {id: Z01, name: 北围墙东段, type: 24h, input: "d1.di[0]"}
        users:
          - {login: zhangsan, name: 张三, roles: [operator]}
          - {login: zhao, name: 赵主任, roles: [director]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        let ctl = ["--socket", socket]
        let r = try await watchroomctl(ctl + ["visitor", "in", "--name", "王工", "--org", "消防公司", "--purpose", "年检", "--approved-by", "赵主任"])
        #expect(r.0 == 0 && r.1.contains("AWAITING APPROVAL by 赵主任"), "\(r)")
        try await body(ctl)
    }

    @Test("status counts the visitors awaiting approval and says who waits for whom; its JSON lists them with the approver's login")
    func status() async throws {
        try await withWaitingVisitor("visitor-status") { ctl in
            let text = try await watchroomctl(ctl + ["status"])
            #expect(text.0 == 0, "\(text)")
            #expect(text.1.contains("visitors awaiting approval: 1\n"), "\(text.1)")
            #expect(text.1.contains("awaiting approval: visitor 1 王工 (消防公司), inside since "), "\(text.1)")
            #expect(text.1.contains("waits for 赵主任 (zhao): `watchroomctl visitor approve 1`, run by them"), "\(text.1)")
            let json = try await watchroomctl(ctl + ["--json", "status"])
            let report = try ControlJSON.decoder.decode(StatusReport.self, from: Data(json.1.utf8))
            let waiting = try #require(report.visitorsAwaitingApproval)
            #expect(waiting.map(\.visitor) == [1] && waiting.first?.approver == "赵主任" && waiting.first?.approverLogin == "zhao", "\(json.1)")
        }
    }

    @Test("the handover flags the visitor as awaiting approval by the director, in its own section, in text and JSON")
    func handover() async throws {
        try await withWaitingVisitor("visitor-handover") { ctl in
            let text = try await watchroomctl(ctl + ["handover", "--from", "张三", "--to", "李四"])
            #expect(text.0 == 0, "\(text)")
            #expect(text.1.contains("!! VISITOR STILL INSIDE #1 王工 (消防公司), AWAITING APPROVAL by 赵主任 (zhao)"), "\(text.1)")
            #expect(text.1.contains("Visitors awaiting approval (1)\n  visitor 1 王工 (消防公司), inside since "), "\(text.1)")
            let json = try await watchroomctl(ctl + ["--json", "handover", "show", "--last"])
            #expect(json.0 == 0, "\(json)")
            let record = try ControlJSON.decoder.decode(HandoverRecord.self, from: Data(json.1.utf8))
            #expect(record.visitorsAwaitingApproval?.map(\.approverLogin) == ["zhao"], "\(json.1)")
        }
    }
}
