import Alarms
import Foundation
import Journal
import Polling
import SiteConfig

/// A site of `devices` x `zones` contact zones (64-input modules), written to a temp dir and loaded.
func syntheticSite(devices: Int, zonesPerDevice: Int) throws -> SiteConfig {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-bench-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try """
    model: di-64
    source: benchmark fixture
    points:
      di: {table: discrete_input, address: 0, count: \(zonesPerDevice)}
    """.write(to: dir.appendingPathComponent("di-64.yaml"), atomically: true, encoding: .utf8)
    var yaml = "site: {name: bench, timezone: UTC}\nstate_dir: \(dir.path)\nbuses:\n"
    for b in 0..<(devices / 20) { yaml += "  - {id: b\(b), tcp: {host: 127.0.0.1, port: \(20000 + b)}}\n" }
    yaml += "devices:\n"
    for d in 0..<devices { yaml += "  - {id: d\(d), bus: b\(d / 20), unit: \(d % 20 + 1), profile: di-64}\n" }
    yaml += "zones:\n"
    for d in 0..<devices {
        for i in 0..<zonesPerDevice { yaml += "  - {id: Z\(d)-\(i), name: z, type: 24h, input: \"d\(d).di[\(i)]\"}\n" }
    }
    let file = dir.appendingPathComponent("site.yaml").path
    try yaml.write(toFile: file, atomically: true, encoding: .utf8)
    return try SiteConfigLoader().load(file: file)
}

func scan(_ device: String, bits: [Bool], time: Date) -> DeviceScan {
    DeviceScan(device: device, bus: "b0", time: time,
               values: ["di": PointValue(readings: bits.map { .bool($0) }, quality: .good, time: time)],
               error: nil, transition: nil, consecutiveFailures: 0, requests: 1)
}

/// Alarm evaluation cost per point per scan: tracker + engine over every device of a 12,800-point site.
func evaluationCost(scans: Int) throws {
    section("Alarm evaluation cost (200 devices x 64 zones = 12,800 points)")
    let config = try syntheticSite(devices: 200, zonesPerDevice: 64)
    var tracker = StateTracker(config: config)
    var engine = AlarmEngine(config: config, now: Date())
    let quiet = [Bool](repeating: false, count: 64)
    var t = Date()
    for d in 0..<200 { _ = engine.apply(tracker.apply(scan("d\(d)", bits: quiet, time: t)), at: t) }  // first scan
    func run(_ label: String, changeEvery: Int) {
        let clock = ContinuousClock()
        var changes = 0
        let start = clock.now
        for s in 0..<scans {
            t = t.addingTimeInterval(1)
            for d in 0..<200 {
                var bits = quiet
                if changeEvery > 0 && (d + s) % changeEvery == 0 { bits[s % 64] = true }
                let c = tracker.apply(scan("d\(d)", bits: bits, time: t))
                changes += c.count
                _ = engine.apply(c, at: t)
            }
        }
        let took = clock.now - start
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        let perPoint = seconds / Double(scans * 12_800) * 1e9
        print("\(label): \(scans) scans in \(String(format: "%.3f", seconds)) s = \(String(format: "%.1f", perPoint)) ns per point per scan, \(String(format: "%.2f", seconds / Double(scans) * 1000)) ms per full-site scan (\(changes) changes)")
    }
    run("steady (no changes)", changeEvery: 0)
    run("busy (1 in 10 devices changes each scan)", changeEvery: 10)
}

/// Journal throughput: alarm events committed per second, batched vs one commit per event.
func journalThroughput() async throws {
    section("Journal throughput (SQLite WAL, synchronous=FULL, on this machine's disk)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-journal-bench-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    print("journal file: \(dir.path)/journal.sqlite (filesystem of \(FileManager.default.temporaryDirectory.path))")
    let config = try syntheticSite(devices: 20, zonesPerDevice: 64)
    for batch in [1, 100, 1000] {
        let journal = try Journal(path: dir.appendingPathComponent("journal-\(batch).sqlite").path)
        var engine = AlarmEngine(config: config, now: Date())
        let zones = config.zones
        let total = batch == 1 ? 500 : 10_000
        var events: [AlarmEvent] = []
        var i = 0
        let clock = ContinuousClock()
        var committed = 0
        let start = clock.now
        while committed < total {
            let z = zones[i % zones.count]
            let on = (i / zones.count) % 2 == 0
            let out = engine.apply([.zone(z, from: on ? .normal : .alarm, to: on ? .alarm : .normal, value: on ? "1" : "0")], at: Date())
            events += out.events
            i += 1
            if events.count >= batch {
                committed += try await journal.commit(events).count
                events.removeAll()
            }
        }
        let took = clock.now - start
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        print("batch of \(batch): \(committed) events in \(String(format: "%.2f", seconds)) s = \(Int(Double(committed) / seconds)) events/s")
    }
    try journalEncodingCost()
}
