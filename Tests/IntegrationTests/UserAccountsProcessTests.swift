import Access
import Alarms
import Control
import Foundation
import Records
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real Unix accounts for one test run (useradd; root only), with names unique to the run, so
/// parallel runs never collide; `remove()` deletes them again.
private struct TestAccounts {
    let group: String
    let names: [String]

    init(roles: [String]) throws {
        let tag = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        group = "wrg\(tag)"
        names = roles.map { "wr\($0)\(tag)" }
        try Self.run("/usr/sbin/groupadd", [group])
        for n in names { try Self.run("/usr/sbin/useradd", ["-M", "-N", "-g", group, "-s", "/usr/sbin/nologin", n]) }
    }

    func remove() {
        for n in names { try? Self.run("/usr/sbin/userdel", [n]) }
        try? Self.run("/usr/sbin/groupdel", [group])
    }

    func uid(_ name: String) -> uid_t { getpwnam(name)!.pointee.pw_uid }

    static func run(_ tool: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(args.joined(separator: " ")) exited \(p.terminationStatus)"])
        }
    }
}

/// Runs watchroomctl as `account` (setpriv: its uid, the test group, no other groups).
private func watchroomctl(as account: String, group: String, _ args: [String]) async throws -> (Int32, String, String) {
    let r = try await runToExit("/usr/bin/setpriv", ["--reuid", account, "--regid", group, "--clear-groups", Paths.watchroomctl] + args)
    return (r.status ?? -1, r.out, r.err)
}

@Suite("Site users on the control socket: who calls is the Unix account, not a typed name",
       .serialized, .timeLimit(.minutes(3)),
       .enabled(if: getuid() == 0, "needs root: the test creates Unix accounts with useradd (CI runs as root)"))
struct UserAccountsProcessTests {
    @Test("an operator acks as themselves, cannot act or approve playback under another name; the director approves; a stranger is refused; the journal names the account")
    func operatorDirectorStranger() async throws {
        let accounts = try TestAccounts(roles: ["op", "dir", "x"])
        defer { accounts.remove() }
        let (op, director, stranger) = (accounts.names[0], accounts.names[1], accounts.names[2])
        let dir = try Paths.tempDir("users")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The socket's folder and the socket itself are the test group's (control.group), as /run/watchroom is watchroom's.
        let run = dir.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        chmod(dir.path, 0o755)
        chown(run.path, 0, getgrnam(accounts.group)!.pointee.gr_gid)
        chmod(run.path, 0o750)
        let socket = run.appendingPathComponent("control.sock").path
        let port = try freePort()
        let config = dir.appendingPathComponent("site.yaml").path
        try """
        site: {name: 用户测试, timezone: Asia/Shanghai}
        state_dir: \(dir.path)
        control: {socket: \(socket), group: \(accounts.group)}
        profiles: [\(Paths.devices)]
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: \(port)}, poll_interval_ms: 100, timeout_ms: 500}
        devices:
          - {id: d1, bus: lan, unit: 1, profile: generic-di-16}
        zones:
          - {id: Z01, name: 北围墙东段, type: 24h, input: "d1.di[0]", cameras: [C01]}
        recorders:
          - {id: NVR-1, name: 1号录像机, cameras: [C01], retention_days: 14}
        users:
          - {login: zhangsan, name: 张三, roles: [operator], unix: \(op)}
          - {login: zhao, name: 赵主任, roles: [director], unix: \(director)}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let simSocket = dir.appendingPathComponent("sim.sock").path
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", config, "--control", simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        func ctl(_ account: String, _ args: [String]) async throws -> (Int32, String, String) {
            try await watchroomctl(as: account, group: accounts.group, ["--socket", socket] + args)
        }

        _ = try await simulatorCommand("set d1.di[0] true", socket: simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 1 raised") } != nil)

        // whoami: the account, the user and the roles.
        var r = try await ctl(op, ["whoami"])
        #expect(r.0 == 0 && r.1.contains("张三 (zhangsan)") && r.1.contains("Unix account \(op)") && r.1.contains("roles: operator"), "\(r)")

        // The operator acks as themselves, without --user.
        r = try await ctl(op, ["ack", "1"])
        #expect(r.0 == 0 && r.1.contains("ACKNOWLEDGED alarm 1"), "\(r)")
        // ...and cannot write under another name.
        r = try await ctl(op, ["note", "1", "--user", "赵主任", "--text", "现场查看"])
        #expect(r.0 == 1 && r.2.contains("must be yours"), "\(r)")

        // A playback request by the operator; approving it is the director's, whatever name is typed.
        r = try await ctl(op, ["recordings", "request", "--recorder", "NVR-1", "--camera", "C01", "--from", "2026-11-21 19:00",
                               "--to", "2026-11-21 19:30", "--reason", "围墙报警复查"])
        #expect(r.0 == 0 && r.1.contains("by 张三"), "\(r)")
        r = try await ctl(op, ["recordings", "approve", "1", "--by", "赵主任"])
        #expect(r.0 == 1 && r.2.contains("needs the director or admin role") && !r.2.contains("赵主任"), "\(r)")
        r = try await ctl(op, ["recordings", "approve", "1"])
        #expect(r.0 == 1 && r.2.contains("needs the director or admin role"), "\(r)")
        r = try await ctl(director, ["recordings", "approve", "1"])
        #expect(r.0 == 0 && r.1.contains("approved by 赵主任"), "\(r)")

        // A visitor the operator registers naming the director waits for the director's own command.
        r = try await ctl(op, ["visitor", "in", "--name", "王工", "--org", "消防公司", "--purpose", "年检", "--approved-by", "赵主任"])
        #expect(r.0 == 0 && r.1.contains("AWAITING APPROVAL by 赵主任"), "\(r)")
        r = try await ctl(op, ["visitor", "list"])
        #expect(r.0 == 0 && r.1.contains("AWAITING APPROVAL"), "\(r)")
        r = try await ctl(op, ["visitor", "approve", "1"])
        #expect(r.0 == 1 && r.2.contains("needs the leader, director or admin role") && !r.2.contains("赵主任"), "\(r)")
        r = try await ctl(director, ["visitor", "approve", "1"])
        #expect(r.0 == 0 && r.1.contains("approved by 赵主任"), "\(r)")
        let (_, visitorsOut, _) = try await watchroomctl(["--socket", socket, "--json", "visitor", "list"])
        let visitor = try #require(try ControlJSON.decoder.decode([Visitor].self, from: Data(visitorsOut.utf8)).first)
        #expect(!visitor.awaitingApproval && visitor.registrar?.carrier.unix == op && visitor.approver?.carrier.unix == director
            && visitor.approver?.login == "zhao", "\(visitor)")

        // An account that is no site user is refused, naming the account and the key to add it under.
        r = try await ctl(stranger, ["ack", "1", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("'\(stranger)' is no site user") && r.2.contains("users[].unix"), "\(r)")
        #expect(!r.2.contains("赵主任"))
        // ...reads included; whoami still answers, saying who it is not.
        for read in [["status"], ["alarms"], ["events"], ["visitor", "list"]] {
            r = try await ctl(stranger, read)
            #expect(r.0 == 1 && r.2.contains("'\(stranger)' is no site user") && r.2.contains("users[].unix"), "\(read): \(r)")
        }
        r = try await ctl(stranger, ["whoami"])
        #expect(r.0 == 0 && r.1.contains("Unix account \(stranger): no site user") && r.1.contains("users[].unix"), "\(r)")

        // The journal records who: login, name and the Unix account that carried each action.
        let (code, out, err) = try await watchroomctl(["--socket", socket, "--json", "events"])
        #expect(code == 0, "\(err)")
        let events = try ControlJSON.decoder.decode([AlarmEvent].self, from: Data(out.utf8)).filter { $0.alarm?.id == 1 }
        let ack = try #require(events.first { $0.kind == .acknowledged })
        #expect(ack.user == "张三" && ack.actor?.login == "zhangsan" && ack.actor?.name == "张三" && ack.actor?.carrier.unix == op, "\(ack)")
        #expect(events.filter { $0.kind == .noted }.isEmpty, "the refused note is not in the journal")
        let (_, log, _) = try await watchroomctl(["--socket", socket, "--json", "recordings", "log"])
        let requests = try ControlJSON.decoder.decode([PlaybackRequest].self, from: Data(log.utf8))
        #expect(requests.first?.requester?.carrier.unix == op && requests.first?.approver?.carrier.unix == director
            && requests.first?.approver?.login == "zhao", "\(requests)")
    }
}
