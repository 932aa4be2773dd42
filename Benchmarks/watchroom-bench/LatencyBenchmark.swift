import Foundation
import Hummingbird
import NIOCore
import Simulator
import Synchronization

/// Trip-to-webhook latency: a zone tripped in `watchroomd simulate` to the webhook request arriving
/// at a local receiver, through a real `watchroomd run` polling every 100 ms.
func tripToWebhookLatency(trips: Int) async throws {
    section("Trip-to-webhook latency (poll interval 100 ms, standard webhook, \(trips) trips)")
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("watchroomd").path
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-latency-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)

    // The receiver: records when each alarm's webhook arrives.
    let arrivals = Mutex<[String: ContinuousClock.Instant]>([:])
    let router = Router()
    router.post("/hook") { request, _ -> Response in
        let body = try await request.body.collect(upTo: 1 << 20)
        let text = String(buffer: body)
        if let range = text.range(of: #""source_id":"Z\d+""#, options: .regularExpression), text.contains("alarm.raised") || text.contains("alarm.reactivated") {
            let zone = String(text[range]).replacingOccurrences(of: "\"source_id\":", with: "").replacingOccurrences(of: "\"", with: "")
            arrivals.withLock { $0[zone] = ContinuousClock.now }
        }
        return Response(status: .ok)
    }
    let port = Mutex(0)
    let ready = AsyncStream.makeStream(of: Void.self)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { ch in port.withLock { $0 = ch.localAddress?.port ?? 0 }; ready.continuation.yield() })
    let server = Task { try await app.run() }
    for await _ in ready.stream { break }

    let modbusPort = 30000 + Int.random(in: 0..<5000)
    var yaml = """
    site: {name: latency, timezone: UTC}
    state_dir: \(dir.path)
    control: {socket: \(dir.path)/control.sock}
    profiles: [\(root.appendingPathComponent("devices").path)]
    buses:
      - {id: lan, tcp: {host: 127.0.0.1, port: \(modbusPort)}, poll_interval_ms: 100, timeout_ms: 200}
    devices:
      - {id: d1, bus: lan, unit: 1, profile: generic-di-16}
    zones:

    """
    for i in 0..<16 { yaml += "  - {id: Z\(i), name: z\(i), type: 24h, input: \"d1.di[\(i)]\"}\n" }
    yaml += "notify:\n  - {id: hook, format: standard, url: \"http://127.0.0.1:\(port.withLock { $0 })/hook\"}\n"
    let config = dir.appendingPathComponent("site.yaml").path
    try yaml.write(toFile: config, atomically: true, encoding: .utf8)
    let simSocket = dir.appendingPathComponent("sim.sock").path
    let sim = try spawn(bin, ["simulate", "--config", config, "--control", simSocket])
    try await Task.sleep(for: .milliseconds(500))
    let daemon = try spawn(bin, ["run", "--config", config])
    defer { daemon.terminate(); sim.terminate(); server.cancel() }
    try await Task.sleep(for: .seconds(2))

    var latencies: [Double] = []
    for n in 0..<trips {
        let zone = "Z\(n % 16)"
        arrivals.withLock { $0[zone] = nil }
        let t0 = ContinuousClock.now
        _ = try LineSocketServer.send("set d1.di[\(n % 16)] true", to: simSocket)
        var arrived: ContinuousClock.Instant?
        let deadline = t0 + .seconds(5)
        while arrived == nil && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
            arrived = arrivals.withLock { $0[zone] }
        }
        if let arrived {
            let d = arrived - t0
            latencies.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        _ = try LineSocketServer.send("set d1.di[\(n % 16)] false", to: simSocket)
        try await Task.sleep(for: .milliseconds(Int64.random(in: 150...250)))  // returned, and a random phase against the poll
    }
    latencies.sort()
    func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    print("trips: \(trips), webhooks received: \(latencies.count)")
    print(String(format: "latency ms: min %.1f, p50 %.1f, p90 %.1f, p99 %.1f, max %.1f", latencies.first ?? 0, pct(0.5), pct(0.9), pct(0.99), latencies.last ?? 0))
    print(String(format: "goal p99 <= poll interval + 50 ms = 150 ms: %@", pct(0.99) <= 150 ? "met" : "NOT met"))
}

func spawn(_ bin: String, _ args: [String]) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: bin)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    return p
}
