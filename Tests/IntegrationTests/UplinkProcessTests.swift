import Alarms
import Foundation
import Journal
import Testing

/// The uplink against a real Mosquitto broker, observed by `mosquitto_sub` as the centre would.
@Suite("uplink to a real MQTT broker", .serialized, .timeLimit(.minutes(3)), .enabled(if: MosquittoBroker.installed))
struct UplinkProcessTests {
    /// A site of `zones` 24h zones on one module, forwarding to `broker` under `prefix`.
    private func site(_ name: String, zones: Int, broker: MosquittoBroker, prefix: String, metrics: Int? = nil) throws -> BigSite {
        let site = try BigSite(name: name, devices: 1, zonesPerDevice: zones)
        let yaml = try String(contentsOfFile: site.config, encoding: .utf8) + """
            uplink:
              mqtt: {host: 127.0.0.1, port: \(broker.port), client_id: \(name), topic_prefix: \(prefix), qos: 1, keepalive_s: 5}

            """ + (metrics.map { "metrics: {listen: \"127.0.0.1:\($0)\"}\n" } ?? "")
        try yaml.write(toFile: site.config, atomically: true, encoding: .utf8)
        return site
    }

    private func startDaemon(_ site: BigSite) async throws -> ChildProcess {
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil, "\(daemon.output)")
        #expect(await daemon.waitForLine { $0.contains("uplink connected") } != nil, "\(daemon.output)")
        return daemon
    }

    /// The names of a process's threads as /proc (and so ps, top and perf) shows them.
    static func threadNames(_ pid: Int32) -> Set<String> {
        let dir = "/proc/\(pid)/task"
        let tids = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return Set(tids.compactMap { try? String(contentsOfFile: "\(dir)/\($0)/comm", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) })
    }

    private func lastSeq(_ site: BigSite) async throws -> Int64 {
        let journal = try Journal(path: site.journal)
        return try await blocking { try journal.lastSeq() }
    }

    @Test("events reach the centre in seq order, status online; after kill -9 the broker's last will says offline")
    func inOrderAndWill() async throws {
        let prefix = "watchroom/order"
        let broker = try MosquittoBroker(dir: try Paths.tempDir("broker"))
        try await broker.start()
        defer { broker.stopInBackground() }
        let site = try site("uplink-order", zones: 30, broker: broker, prefix: prefix)
        let centre = try await CentreSubscriber(port: broker.port, topics: "\(prefix)/#", probe: "\(prefix)/probe")
        defer { centre.stopInBackground() }
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try await startDaemon(site)
        defer { daemon.stopInBackground() }
        #expect(try await waitForPolls("d1", socket: site.simSocket))
        // top -H and perf tell the threads apart: the bus's and libmosquitto's network thread by name.
        let names = Self.threadNames(daemon.process.processIdentifier)
        #expect(names.contains("bus-lan") && names.contains("mqtt-net"), "threads: \(names.sorted())")

        _ = try await simulatorCommand("fill d1.di true", socket: site.simSocket)
        let journal = try Journal(path: site.journal)
        #expect(try await eventually { try await blocking { try journal.alarms(all: false).count == 30 } })
        let last = try await lastSeq(site)
        #expect(await eventually { centre.eventSeqs(prefix: prefix).last == last }, "\(centre.eventSeqs(prefix: prefix)) last \(last)")
        #expect(centre.eventSeqs(prefix: prefix) == Array(1...last), "not every event, or not in seq order")
        #expect(centre.messages.contains { $0.topic == "\(prefix)/status" && $0.payload == "online" })
        #expect(centre.alarmStates(prefix: prefix).count == 30)

        // The status command shows it, its cursor caught up.
        #expect(await eventually {
            let r = try? await watchroomctl(["--config", site.config, "status"])
            return r?.1.contains(": connected since") == true && r?.1.contains("confirmed to event #\(last), backlog 0") == true
        })

        await daemon.stopAndWait(signal: SIGKILL)
        #expect(await eventually { centre.messages.last { $0.topic == "\(prefix)/status" }?.payload == "offline" },
                "the will did not say offline: \(centre.messages.suffix(3))")
    }

    @Test("broker stopped, zones tripped, one acknowledged, daemon killed, both restarted: every event arrives without a gap; a late subscriber gets every open alarm retained")
    func outageAndKill() async throws {
        let prefix = "watchroom/outage"
        let broker = try MosquittoBroker(dir: try Paths.tempDir("broker"))
        try await broker.start()
        defer { broker.stopInBackground() }
        let site = try site("uplink-outage", zones: 20, broker: broker, prefix: prefix)
        let first = try await CentreSubscriber(port: broker.port, topics: "\(prefix)/#", probe: "\(prefix)/probe")
        defer { first.stopInBackground() }
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        var daemon = try await startDaemon(site)
        defer { daemon.stopInBackground() }
        #expect(try await waitForPolls("d1", socket: site.simSocket))
        let journal = try Journal(path: site.journal)

        // Zone 0 alarms, is acknowledged, returns and is reset: back to normal, its retained topic emptied.
        for i in 0..<5 { _ = try await simulatorCommand("set d1.di[\(i)] true", socket: site.simSocket) }
        #expect(try await eventually { try await blocking { try journal.alarms(all: false).count == 5 } })
        let z0 = try #require(try journal.alarms(all: false).first { $0.source.id == "Z1-0" })
        #expect(try await watchroomctl(["--config", site.config, "ack", "\(z0.id)", "--user", "张三"]).0 == 0)
        _ = try await simulatorCommand("set d1.di[0] false", socket: site.simSocket)
        #expect(try await eventually { try await blocking { try journal.alarm(z0.id)?.active == false } })
        #expect(try await watchroomctl(["--config", site.config, "note", "\(z0.id)", "--user", "张三", "--text", "门磁复位"]).0 == 0)
        let reset = try await watchroomctl(["--config", site.config, "reset", "\(z0.id)", "--user", "张三"])
        #expect(reset.0 == 0, "\(reset)")
        let beforeOutage = try await lastSeq(site)
        #expect(await eventually { first.eventSeqs(prefix: prefix).last == beforeOutage })

        // The broker goes away; the site carries on: more zones trip, one is acknowledged.
        await broker.stop()
        for i in 5..<12 { _ = try await simulatorCommand("set d1.di[\(i)] true", socket: site.simSocket) }
        #expect(try await eventually { try await blocking { try journal.alarms(all: false).count == 11 } })
        let z7 = try #require(try journal.alarms(all: false).first { $0.source.id == "Z1-7" })
        #expect(try await watchroomctl(["--config", site.config, "ack", "\(z7.id)", "--user", "张三"]).0 == 0)
        #expect(await eventually {
            let r = try? await watchroomctl(["--config", site.config, "status"])
            return r?.1.contains("uplink") == true && r?.1.contains(": connected since") == false
        }, "status does not show the uplink down")
        await daemon.stopAndWait(signal: SIGKILL)
        let last = try await lastSeq(site)
        #expect(last > beforeOutage)

        // Both come back: the broker (without its retained messages), then the daemon.
        try await broker.start()
        let second = try await CentreSubscriber(port: broker.port, topics: "\(prefix)/#", probe: "\(prefix)/probe")
        defer { second.stopInBackground() }
        daemon = try await startDaemon(site)
        #expect(await eventually(timeout: .seconds(20)) { (second.eventSeqs(prefix: prefix).last ?? 0) >= last })
        let seen = Set(first.eventSeqs(prefix: prefix) + second.eventSeqs(prefix: prefix))
        #expect(seen.isSuperset(of: Set(1...last)), "missing events: \(Set(1...last).subtracting(seen).sorted())")
        let resumed = second.eventSeqs(prefix: prefix).filter { $0 <= last }
        #expect(resumed == resumed.sorted() && Set(resumed).count == resumed.count, "the resumed stream is out of order: \(resumed)")
        #expect(resumed.first.map { $0 <= beforeOutage + 1 } ?? false, "the resumed stream skipped the first unconfirmed event")

        // A centre that subscribes now gets every open alarm, retained, and nothing for the normal one.
        let late = try await CentreSubscriber(port: broker.port, topics: "\(prefix)/alarms/+")
        defer { late.stopInBackground() }
        let open = try journal.alarms(all: false)
        #expect(await eventually { late.messages.count >= open.count })
        #expect(late.messages.allSatisfy { $0.retained })
        let states = late.alarmStates(prefix: prefix)
        #expect(Set(states.keys) == Set(open.map(\.id)), "retained \(states.keys.sorted()), open \(open.map(\.id).sorted())")
        #expect(states[z0.id] == nil, "the alarm back to normal is still retained")
        #expect(states[z7.id]?.contains("\"state\":\"acknowledged\"") == true, "\(states[z7.id] ?? "none")")
    }

    @Test("SIGTERM: the uplink says offline itself, saves its cursor and the daemon exits 0")
    func cleanStop() async throws {
        let prefix = "watchroom/stop"
        let broker = try MosquittoBroker(dir: try Paths.tempDir("broker"))
        try await broker.start()
        defer { broker.stopInBackground() }
        let metricsPort = try freePort()
        let site = try site("uplink-stop", zones: 3, broker: broker, prefix: prefix, metrics: metricsPort)
        let centre = try await CentreSubscriber(port: broker.port, topics: "\(prefix)/#", probe: "\(prefix)/probe")
        defer { centre.stopInBackground() }
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try await startDaemon(site)
        #expect(try await waitForPolls("d1", socket: site.simSocket))
        _ = try await simulatorCommand("fill d1.di true", socket: site.simSocket)
        let journal = try Journal(path: site.journal)
        #expect(try await eventually { try await blocking { try journal.alarms(all: false).count == 3 } })
        let last = try await lastSeq(site)
        #expect(await eventually { centre.eventSeqs(prefix: prefix).last == last })
        // The metrics say so too: connected, confirmed up to the last event, nothing waiting.
        let dir = try Paths.tempDir("uplink-metrics")
        #expect(try await eventually {
            let page = try await MetricsScraper.get(port: metricsPort, path: "/metrics")
            let m = try await MetricsScraper.parse(page.body, in: dir)
            return m.value("watchroom_uplink_connected") == 1 && m.value("watchroom_uplink_last_confirmed_seq") == Double(last)
                && m.value("watchroom_uplink_backlog_events") == 0
        }, "the uplink's gauges never showed event #\(last) confirmed")

        await daemon.stopAndWait(signal: SIGTERM, grace: .seconds(10))
        #expect(daemon.process.terminationStatus == 0, "\(daemon.output.suffix(5))")
        #expect(!daemon.output.contains { $0.contains("finished unexpectedly") }, "\(daemon.output.suffix(5))")
        #expect(await eventually { centre.messages.last { $0.topic == "\(prefix)/status" }?.payload == "offline" })
        // A clean stop waits for the broker's confirmation of what went out last, then saves the
        // cursor there (it was left one or two events behind, sent again at the next start).
        let cursor = try journal.uplinkCursor("mqtt")
        #expect(cursor == last, "cursor \(String(describing: cursor)) last \(last): \(daemon.output.suffix(12).joined(separator: "\n"))")
    }
}
