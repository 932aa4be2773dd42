import Alarms
import Control
import Foundation
import Testing

/// Control characters in notes, user names and zone names never reach a terminal or the log raw;
/// the journal keeps them exactly (issue 9, item 8).
@Suite("log and terminal injection", .serialized, .timeLimit(.minutes(2)))
struct TerminalInjectionTests {
    static let hostileNote = "checked\nFORGED 2026-12-01 10:00:00.000 NOTE  ALL CLEAR\u{1B}[2J\u{1B}[32mALL CLEAR\u{1B}]0;pwned\u{07}\r\u{08}\u{9B}1m\u{202E}"
    static let hostileUser = "张三\u{1B}[2J\nFORGED user"

    /// Text a terminal shows as it is: no C0/C1 controls (but the newline ending each line) and no bidi override.
    static func raw(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { s in
            s != "\n" && (s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value))
        }
    }

    static func forged(_ text: String) -> Bool { text.split(separator: "\n").contains { $0.hasPrefix("FORGED") } }

    @Test("a hostile note, user and zone name: log, show, alarms and watch escape them; --json keeps them exact")
    func hostileText() async throws {
        let site = try BigSite(name: "inject", devices: 1, zonesPerDevice: 2)
        let yaml = try String(contentsOfFile: site.config, encoding: .utf8)
            .replacingOccurrences(of: "name: 防区1-0,", with: "name: \"防区\\e[2J\\r1-0\\nFORGED zone\",")
        try yaml.write(toFile: site.config, atomically: true, encoding: .utf8)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        let ctl = ["--config", site.config]
        let watch = try ChildProcess(Paths.watchroomd.replacingOccurrences(of: "watchroomd", with: "watchroomctl"), ctl + ["watch"])
        defer { watch.stopInBackground(signal: SIGINT) }
        #expect(await watch.waitForLine { $0.contains("watching") } != nil)
        #expect(try await waitForPolls("d1", socket: site.simSocket))

        _ = try await simulatorCommand("set d1.di[0] true", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 1 raised") } != nil)
        var r = try await watchroomctl(ctl + ["ack", "1", "--user", Self.hostileUser])
        #expect(r.0 == 0, "\(r)")
        r = try await watchroomctl(ctl + ["note", "1", "--user", Self.hostileUser, "--text", Self.hostileNote])
        #expect(r.0 == 0, "\(r)")
        #expect(Self.raw(r.1).isEmpty && !Self.forged(r.1), "note output: \(r.1.debugDescription)")
        #expect(await daemon.waitForLine { $0.contains("alarm 1 noted") } != nil)
        #expect(await watch.waitForLine { $0.contains("NOTED alarm 1") } != nil)

        // The daemon's log: one line per event, nothing raw, nothing forged.
        let log = daemon.output.joined(separator: "\n")
        #expect(Self.raw(log).isEmpty, "raw control characters in the log: \(Self.raw(log))")
        #expect(!Self.forged(log), "a forged log line: \(daemon.output.filter { $0.hasPrefix("FORGED") })")
        #expect(daemon.output.contains { $0.contains("alarm 1 noted") && $0.contains("\\nFORGED 2026") && $0.contains("\\e[2J") })

        for args in [["show", "1"], ["alarms"], ["alarms", "--all"], ["events"], ["status"]] {
            r = try await watchroomctl(ctl + args)
            #expect(r.0 == 0, "\(args): \(r)")
            #expect(Self.raw(r.1).isEmpty, "\(args) prints raw control characters: \(r.1.debugDescription)")
            #expect(!Self.forged(r.1), "\(args) prints a forged line: \(r.1)")
        }
        r = try await watchroomctl(ctl + ["show", "1"])
        #expect(r.1.contains("\\e[32mALL CLEAR"), "\(r.1)")
        let watched = watch.output.joined(separator: "\n")
        #expect(Self.raw(watched).isEmpty && !Self.forged(watched), "watch: \(watched.debugDescription)")

        // A refusal that quotes operator input is escaped too.
        r = try await watchroomctl(ctl + ["arm", "Z\u{1B}[2Jnone", "--user", "x"])
        #expect(r.0 == 1 && Self.raw(r.2).isEmpty, "\(r.2.debugDescription)")

        // The journal and --json keep the text exactly as entered.
        r = try await watchroomctl(ctl + ["--json", "show", "1"])
        struct Detail: Decodable { let alarm: Alarm; let events: [AlarmEvent] }
        let detail = try ControlJSON.decoder.decode(Detail.self, from: Data(r.1.utf8))
        #expect(detail.alarm.notes.map(\.text) == [Self.hostileNote])
        #expect(detail.alarm.notes.map(\.user) == [Self.hostileUser])
        #expect(detail.alarm.acknowledgedBy == Self.hostileUser)
        #expect(detail.alarm.name == "防区\u{1B}[2J\r1-0\nFORGED zone")
    }
}
