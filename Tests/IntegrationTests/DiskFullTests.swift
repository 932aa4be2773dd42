import Alarms
import Control
import Foundation
import Testing

/// The journal's disk fills up under a running daemon (site rule 10: records must not be lost).
@Suite("disk full", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: getuid() == 0, "needs root to mount a small tmpfs for state_dir (CI runs as root)"))
struct DiskFullTests {
    @Test("with state_dir on a full filesystem an ack is refused (exit 1, says why), status says so, and nothing is lost after kill -9")
    func ackRefusedOnFullDisk() async throws {
        let site = try BigSite(name: "diskfull", devices: 1, zonesPerDevice: 4, type: "24h")
        let state = site.dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", state.path])
        defer { try? run("/bin/umount", ["-l", state.path]) }
        let yaml = try String(contentsOfFile: site.config, encoding: .utf8)
        try yaml.replacingOccurrences(of: "state_dir: \(site.dir.path)\n", with: "state_dir: \(state.path)\n")
            .write(toFile: site.config, atomically: true, encoding: .utf8)

        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        var daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        let ctl = ["--config", site.config]

        _ = try await simulatorCommand("set d1.di[0] true", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 1 raised") } != nil)

        // Fill the filesystem to the last byte.
        let fill = state.appendingPathComponent("fill")
        try #require(FileManager.default.createFile(atPath: fill.path, contents: nil))
        let handle = try FileHandle(forWritingTo: fill)
        let block = Data(count: 64 * 1024)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()

        // A new alarm while full: the daemon still sees it (in memory) and says once that it cannot write.
        _ = try await simulatorCommand("set d1.di[1] true", socket: site.simSocket)
        #expect(await daemon.waitForLine { $0.contains("alarm 2 raised") } != nil)
        #expect(await daemon.waitForLine { $0.contains("the journal cannot be written: disk full on \(state.path)") } != nil, "\(daemon.output.suffix(10))")

        var r = try await watchroomctl(ctl + ["ack", "1", "--user", "张三"])
        #expect(r.0 == 1, "\(r)")
        #expect(r.2.contains("the journal cannot be written: disk full on \(state.path)"), "\(r)")
        r = try await watchroomctl(ctl + ["note", "1", "--user", "张三", "--text", "已到场"])
        #expect(r.0 == 1, "\(r)")
        r = try await watchroomctl(ctl + ["status"])
        #expect(r.0 == 0 && r.1.contains("JOURNAL STALLED") && r.1.contains("disk full"), "\(r)")

        // Once per state change, not once per retry.
        try await Task.sleep(for: .seconds(2))
        #expect(daemon.count { $0.contains("alarms go on in memory") } == 1, "\(daemon.output.filter { $0.contains("journal") })")

        // kill -9, free the space, start again: the refused ack and note are nowhere, alarm 1 is as it was.
        await daemon.stopAndWait(signal: SIGKILL)
        try FileManager.default.removeItem(at: fill)
        daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        r = try await watchroomctl(ctl + ["--json", "alarms"])
        let open = try ControlJSON.decoder.decode([Alarm].self, from: Data(r.1.utf8))
        let first = try #require(open.first { $0.id == 1 })
        #expect(first.state == .unacknowledged && first.notes.isEmpty)
        r = try await watchroomctl(ctl + ["ack", "1", "--user", "张三"])
        #expect(r.0 == 0 && r.1.contains("ACKNOWLEDGED alarm 1"), "\(r)")
    }

    private func run(_ tool: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(args) failed"]) }
    }
}
