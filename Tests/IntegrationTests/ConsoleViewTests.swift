import Alarms
import Control
import Foundation
import Testing

/// What the console shows in a flood (issue 13, items 3 and 4): watch starts with what is open,
/// most urgent first; rows fit 80 columns; colour and the bell only on a terminal; alarms acted
/// on by zone id, several at once and in bulk.
@Suite("the console in a flood", .serialized, .timeLimit(.minutes(2)))
struct ConsoleViewTests {
    /// Display columns, East Asian wide characters counting two, colour codes and the bell not at all.
    static func columns(_ line: String) -> Int {
        let plain = line.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression).replacingOccurrences(of: "\u{07}", with: "")
        return plain.unicodeScalars.reduce(0) { $0 + ((0x2E80...0x9FFF).contains($1.value) || (0xFF00...0xFF60).contains($1.value) ? 2 : 1) }
    }

    @Test("watch starts with the open alarms most urgent first, then events; colour and bell on a terminal only; ack by zone, many, all")
    func floodConsole() async throws {
        let site = try BigSite(name: "console", devices: 1, zonesPerDevice: 5)
        // Z1-2 is a fire zone (critical); the rest are 24-hour zones (high). A long name must not wrap a row.
        let yaml = try String(contentsOfFile: site.config, encoding: .utf8)
            .replacingOccurrences(of: "name: 防区1-2, type: 24h", with: "name: 防区1-2, type: fire")
            .replacingOccurrences(of: "name: 防区1-1,", with: "name: 防区1-1东侧围墙靠近北门停车场入口处的红外对射,")
        try yaml.write(toFile: site.config, atomically: true, encoding: .utf8)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        #expect(try await waitForPolls("d1", socket: site.simSocket))
        for i in 0...2 {
            _ = try await simulatorCommand("set d1.di[\(i)] true", socket: site.simSocket)
            #expect(await daemon.waitForLine { $0.contains("alarm \(i + 1) raised") } != nil)
        }

        // Three watchers of alarms already open: piped (plain), a terminal's colours forced, and forced without the bell.
        let ctl = ["--config", site.config]
        let piped = try ChildProcess(Paths.watchroomctl, ctl + ["watch"], environment: ["CLICOLOR_FORCE": "0", "NO_COLOR": ""])
        defer { piped.stopInBackground(signal: SIGINT) }
        let coloured = try ChildProcess(Paths.watchroomctl, ctl + ["watch"], environment: ["CLICOLOR_FORCE": "1", "NO_COLOR": ""])
        defer { coloured.stopInBackground(signal: SIGINT) }
        let quiet = try ChildProcess(Paths.watchroomctl, ctl + ["watch", "--no-bell"], environment: ["CLICOLOR_FORCE": "1", "NO_COLOR": ""])
        defer { quiet.stopInBackground(signal: SIGINT) }
        let noColour = try ChildProcess(Paths.watchroomctl, ctl + ["watch"], environment: ["CLICOLOR_FORCE": "1", "NO_COLOR": "1"])
        defer { noColour.stopInBackground(signal: SIGINT) }
        for w in [piped, coloured, quiet, noColour] { #expect(await w.waitForLine { $0.contains("3 open alarms") } != nil, "\(w.output)") }
        // The first screen: the fire zone first, then the others oldest first; name and zone first in each row.
        #expect(await piped.waitForLine { $0.contains("#2") } != nil)
        let rows = piped.output.filter { $0.contains("  #") }
        #expect(rows.count == 3 && rows[0].hasPrefix("防区1-2") && rows[1].hasPrefix("防区1-0") && rows[2].hasPrefix("防区1-1"), "\(piped.output)")
        #expect(rows[0].contains("critical") && rows[0].contains("Z1-2") && rows[1].contains("high"), "\(rows)")

        // A new high alarm: a row in every watch; the bell only where colours are on and the bell not refused.
        _ = try await simulatorCommand("set d1.di[3] true", socket: site.simSocket)
        for w in [piped, coloured, quiet, noColour] { #expect(await w.waitForLine { $0.contains("RAISED alarm 4") } != nil, "\(w.output)") }
        let raisedRow = { (w: ChildProcess) in w.output.first { $0.contains("RAISED alarm 4") } ?? "" }
        #expect(raisedRow(coloured).hasPrefix("\u{07}\u{1B}[31;1m") && raisedRow(coloured).contains("Z1-3"), "\(raisedRow(coloured).debugDescription)")
        #expect(raisedRow(quiet).hasPrefix("\u{1B}[31;1m"), "\(raisedRow(quiet).debugDescription)")
        // Piped: neither colour nor bell; NO_COLOR on a terminal: no colour (the bell is not a colour).
        #expect(!piped.output.joined().contains("\u{1B}") && !piped.output.joined().contains("\u{07}"), "\(piped.output)")
        #expect(!noColour.output.joined().contains("\u{1B}") && raisedRow(noColour).hasPrefix("\u{07}防区1-3"), "\(noColour.output)")

        // Acting in a flood: by zone id, several at once with a result for each, then every unacknowledged one.
        var r = try await watchroomctl(ctl + ["ack", "Z1-0", "--user", "张三"])
        #expect(r.0 == 0 && r.1.contains("ACKNOWLEDGED alarm 1"), "\(r)")
        r = try await watchroomctl(ctl + ["ack", "Z1-0", "Z1-9", "3", "--user", "张三"])
        #expect(r.0 == 1 && r.1.contains("ACKNOWLEDGED alarm 3"), "\(r)")
        #expect(r.2.contains("Z1-0 (alarm 1): ") && r.2.contains("already acknowledged") && r.2.contains("Z1-9: no open alarm for 'Z1-9'"), "\(r)")
        r = try await watchroomctl(ctl + ["ack", "--all-unacknowledged", "--priority", "critical", "--user", "李四"])
        #expect(r.0 == 0 && r.1.contains("nothing") == false && r.1.contains("no unacknowledged alarms match"), "alarm 3, the critical one, is acknowledged: \(r)")
        r = try await watchroomctl(ctl + ["ack", "--all-unacknowledged", "--user", "李四"])
        #expect(r.0 == 0 && r.1.contains("ACKNOWLEDGED alarm 2") && r.1.contains("ACKNOWLEDGED alarm 4"), "\(r)")
        r = try await watchroomctl(ctl + ["--json", "alarms"])
        #expect(try ControlJSON.decoder.decode([Alarm].self, from: Data(r.1.utf8)).allSatisfy { $0.state == .acknowledged }, "\(r.1)")

        // An equipment check is one summary line in the watch, not one line per item.
        r = try await watchroomctl(ctl + ["check", "equipment", "--user", "维修员"])
        #expect(await piped.waitForLine { $0.hasPrefix("equipment check ") && $0.contains("passed") } != nil, "\(r) \(piped.output)")
        #expect(!piped.output.contains { $0.contains("EQUIPMENT-CHECK") || $0.contains("zone ?") }, "\(piped.output)")

        // A duration without its unit is refused, naming the forms it takes.
        r = try await watchroomctl(ctl + ["shelve", "Z1-1", "--for", "30", "--reason", "树枝", "--user", "张三"])
        #expect(r.0 == 2 && r.2.contains("90s, 30m, 2h or 1d"), "\(r)")

        // alarms: most urgent first, 80 columns; --wide has the rest.
        r = try await watchroomctl(ctl + ["alarms"])
        // The zone's name once above the table when this host's clock reads another offset.
        let lines = r.1.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("site time ") }
        #expect(lines.count == 5 && lines[1].hasPrefix("防区1-2") && lines.allSatisfy { Self.columns($0) <= 80 }, "\(lines)")
        r = try await watchroomctl(ctl + ["alarms", "--wide"])
        #expect(r.1.contains("CONDITION") && r.1.contains("ACK BY") && r.1.contains("东侧围墙靠近北门停车场入口处的红外对射"), "\(r.1)")
        let watched = piped.output + coloured.output
        #expect(watched.allSatisfy { Self.columns($0) <= 80 }, "\(watched.filter { Self.columns($0) > 80 })")
    }
}
