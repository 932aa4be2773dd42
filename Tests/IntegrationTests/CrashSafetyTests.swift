import Alarms
import Foundation
import Journal
import Testing

/// kill -9 in the middle of an alarm storm loses nothing that was committed.
@Suite("crash safety with a real process", .serialized, .timeLimit(.minutes(3)))
struct CrashSafetyTests {
    @Test("after kill -9 mid-storm: journal sound, sequence without gaps, acks and notes kept, no duplicate raise, returned while down shows returned and latched")
    func killMidStorm() async throws {
        let site = try BigSite(name: "crash", devices: 2, zonesPerDevice: 100)
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        var daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)

        // Zones on d1 alarm and are acknowledged and noted; each reply comes after the commit.
        _ = try await simulatorCommand("fill d1.di true", socket: site.simSocket)
        let journal = try Journal(path: site.journal)
        #expect(try await eventually { try await blocking { try journal.alarms(all: false).count == 100 } })
        let d1Alarms = try journal.alarms(all: false).sorted { $0.id < $1.id }  // Z1-0 first
        for a in d1Alarms.prefix(20) {
            let r = try await watchroomctl(["--config", site.config, "ack", "\(a.id)", "--user", "张三"])
            #expect(r.0 == 0, "\(r)")
            let n = try await watchroomctl(["--config", site.config, "note", "\(a.id)", "--user", "张三", "--text", "巡查确认 \(a.id)"])
            #expect(n.0 == 0, "\(n)")
        }
        // A storm on d2, then kill -9 while it rages.
        let storm = Task {
            for i in 0..<40 {
                _ = try? await simulatorCommand("fill d2.di \(i % 2 == 0)", socket: site.simSocket)
                try? await Task.sleep(for: .milliseconds(60))
            }
        }
        try await Task.sleep(for: .milliseconds(900))
        await daemon.stopAndWait(signal: SIGKILL)
        storm.cancel()
        _ = await storm.value

        // While the daemon is down, zone Z1-0 (acknowledged, latched) returns to normal.
        _ = try await simulatorCommand("set d1.di[0] false", socket: site.simSocket)
        #expect(try journal.integrityCheck() == "ok")
        let before = try journal.loadState()

        daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("restored") && $0.contains("open alarms") } != nil, "\(daemon.output)")
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        try await Task.sleep(for: .seconds(1.5))

        #expect(try journal.integrityCheck() == "ok")
        let events = try journal.events(after: 0, limit: 1_000_000)
        let seqs = events.compactMap(\.seq)
        #expect(seqs == Array(1...Int64(seqs.count)), "the sequence has a gap")
        #expect(seqs.count > Int(before.lastSeq) - 1)

        // Every d1 zone was raised exactly once, across the crash and restart.
        for a in d1Alarms {
            let raises = events.filter { $0.alarm?.id == a.id && $0.kind == .raised }.count
            #expect(raises == 1, "alarm \(a.id) raised \(raises) times")
        }
        #expect(Set(events.filter { $0.kind == .raised && $0.alarm?.source.id.hasPrefix("Z1-") == true }.compactMap { $0.alarm?.source.id }).count == 100)
        // Acknowledgements and notes survived.
        let now = try journal.alarms(all: true, limit: 10_000)
        for a in d1Alarms.prefix(20) {
            let after = try #require(now.first { $0.id == a.id })
            #expect(after.acknowledgedBy == "张三", "alarm \(a.id) lost its acknowledgement")
            #expect(after.notes.map(\.text) == ["巡查确认 \(a.id)"])
        }
        // Z1-0 returned while the daemon was down: shown as returned, still latched awaiting reset.
        let z0 = try #require(now.first { $0.source.id == "Z1-0" })
        #expect(z0.state == .awaitingReset, "Z1-0 is \(z0.state)")
        #expect(events.contains { $0.kind == .returned && $0.alarm?.source.id == "Z1-0" })
        // The rest of d1 is still active and acknowledged as before: no new raise.
        let z5 = try #require(now.first { $0.source.id == "Z1-5" })
        #expect(z5.state == .acknowledged && z5.active)
    }
}
