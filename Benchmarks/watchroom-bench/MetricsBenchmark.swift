import Alarms
import Daemon
import Foundation
import Journal
import Logging
import Polling
import SiteConfig

/// Scrape time and size of `/metrics` for a site of 200 devices (10 buses of 20), 64 zones and a
/// sensor each, two notification targets: every device answered and has recorded requests, so
/// every series is there. Times the scrape as the endpoint does it (the gauges set from the
/// alarm service and the journal's outbox read, then the text written), in process, no HTTP.
func metricsScrapeCost(scrapes: Int) async throws {
    section("Metrics scrape (200 devices)")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-bench-metrics-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try """
    model: di-64
    source: benchmark fixture
    points:
      di: {table: discrete_input, address: 0, count: 64}
      t: {table: input_register, address: 0, type: int16, scale: 0.1, unit: "°C"}
    """.write(to: dir.appendingPathComponent("di-64.yaml"), atomically: true, encoding: .utf8)
    var yaml = "site: {name: bench, timezone: UTC}\nstate_dir: \(dir.path)\ncontrol: {socket: \(dir.path)/control.sock}\n"
    yaml += "metrics: {listen: \"127.0.0.1:9630\"}\nbuses:\n"
    for b in 0..<10 { yaml += "  - {id: b\(b), tcp: {host: 127.0.0.1, port: \(20000 + b)}}\n" }
    yaml += "devices:\n"
    for d in 0..<200 { yaml += "  - {id: d\(d), bus: b\(d / 20), unit: \(d % 20 + 1), profile: di-64}\n" }
    yaml += "zones:\n"
    for d in 0..<200 { for i in 0..<64 { yaml += "  - {id: Z\(d)-\(i), name: z, type: 24h, input: \"d\(d).di[\(i)]\"}\n" } }
    yaml += "sensors:\n"
    for d in 0..<200 { yaml += "  - {id: s\(d), name: t, input: \"d\(d).t\", low: 5, high: 40}\n" }
    yaml += """
    shifts:
      - {name: all, start: "00:00", end: "24:00", leader: {name: 张伟, mobile: "13800000001"}}
    notify:
      - {id: leader, format: alertmanager, url: "http://127.0.0.1:1/a"}
      - {id: desk, format: alertmanager, url: "http://127.0.0.1:1/b"}

    """
    let file = dir.appendingPathComponent("site.yaml").path
    try yaml.write(toFile: file, atomically: true, encoding: .utf8)
    let config = try SiteConfigLoader().load(file: file)
    let daemon = try WatchroomDaemon(config: config, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
    guard let metrics = daemon.metrics else { throw BenchError(text: "no metrics for a config with metrics:") }
    // Every device answered once (device_up 1, sensor values), and has requests in its histogram.
    let t = Date()
    let quiet = [Bool](repeating: false, count: 64)
    await daemon.alarms.ingest(config.devices.map { d in
        .scan(DeviceScan(device: d.id, bus: d.bus, time: t,
                         values: ["di": PointValue(readings: quiet.map { .bool($0) }, quality: .good, time: t),
                                  "t": PointValue(readings: [.number(21.5)], quality: .good, time: t)], requests: 2))
    })
    for bus in config.buses {
        let m = metrics.meters(for: bus)
        for d in config.devices(on: bus.id) { for i in 0..<100 { m.device(d.id).record(.ok, .microseconds(300 + i * 20)) } }
    }
    var times: [Duration] = []
    var size = 0
    var text = ""
    for _ in 0..<scrapes {
        let start = ContinuousClock.now
        let body = await metrics.scrape(daemon.alarms)
        times.append(ContinuousClock.now - start)
        size = body.count
        text = String(decoding: body, as: UTF8.self)
    }
    let lines = text.split(separator: "\n")
    let samples = lines.filter { !$0.hasPrefix("#") }.count
    let ms = times.map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1000 }.sorted()
    print("200 devices, 10 buses, 200 sensors, 2 targets: \(size) bytes (\(size / 1024) KiB), \(samples) samples, \(lines.count) lines")
    print("scrape time over \(scrapes) scrapes: median \(String(format: "%.2f", ms[ms.count / 2])) ms, p90 \(String(format: "%.2f", ms[ms.count * 9 / 10])) ms, max \(String(format: "%.2f", ms.last!)) ms")
}

struct BenchError: Error, CustomStringConvertible { let text: String; var description: String { text } }
