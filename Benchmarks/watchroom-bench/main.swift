// Watchroom benchmarks: each prints the figures docs/PERFORMANCE.md quotes, measured side by
// side in one run. Run with `make bench` (release build).
import CModbus
import Daemon
import Foundation
import Modbus
import Polling
import SiteConfig
import Synchronization

let args = CommandLine.arguments.dropFirst()
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func section(_ title: String) { print("\n## \(title)") }

// MARK: 1. Requests per scan

func requestsPerScan() throws {
    section("Requests per scan (planner vs one request per point)")
    for name in ["demo", "example-site"] {
        let config = try SiteConfigLoader().load(file: root.appendingPathComponent("devices/sites/\(name).yaml").path)
        let planned = config.devices.reduce(0) { $0 + config.plan(for: $1).requests.count }
        let naive = config.devices.reduce(0) { $0 + config.naiveRequestCount(for: $1) }
        print("\(name).yaml: \(planned) requests per scan planned vs \(naive) one-per-point (\(String(format: "%.1f", Double(naive) / Double(planned)))x fewer)")
    }
}

// MARK: 2. Poll throughput on loopback

/// A libmodbus TCP slave on its own thread.
final class BenchServer: @unchecked Sendable {
    let port: Int
    let stop = Atomic<Bool>(false)
    let done = DispatchSemaphore(value: 0)
    init() throws {
        let mapping = try ModbusMapping(coils: 16, discreteInputs: 16, holdingRegisters: 16, inputRegisters: 16)
        let server = try ModbusTCPServer(host: "127.0.0.1", port: 0)
        port = server.port
        let box = ServerBox(server: server)
        let t = Thread { [self] in
            box.server.serve(tick: .milliseconds(20), until: { self.stop.load(ordering: .relaxed) }) { _, reply in reply(.reply(mapping)) }
            done.signal()
        }
        t.start()
    }
    func shutdown() { stop.store(true, ordering: .relaxed); done.wait() }
}

/// Hands the server to the one thread that serves it.
struct ServerBox: @unchecked Sendable { let server: ModbusTCPServer }

func perSecond(_ count: Int, _ d: Duration) -> Double {
    let secs = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    return Double(count) / secs
}

/// The same libmodbus call in a bare loop, no Watchroom code around it.
func plainLoop(port: Int, seconds: Double) -> Double {
    let ctx = modbus_new_tcp_pi("127.0.0.1", String(port))!
    defer { modbus_close(ctx); modbus_free(ctx) }
    modbus_connect(ctx)
    modbus_set_slave(ctx, 1)
    var regs = [UInt16](repeating: 0, count: 2)
    var n = 0
    let start = ContinuousClock.now
    let end = start + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < end {
        if modbus_read_input_registers(ctx, 1, 2, &regs) == 2 { n += 1 }
    }
    return perSecond(n, ContinuousClock.now - start)
}

/// A bus worker polling one device (one request per scan) with no pause between cycles.
func workerLoop(port: Int, seconds: Double) async throws -> Double {
    let profile = DeviceProfile(model: "bench", source: "bench", points: [
        PointDefinition(name: "temperature", table: .inputRegister, address: 1, type: .int16, scale: 0.1),
        PointDefinition(name: "humidity", table: .inputRegister, address: 2, type: .uint16, scale: 0.1),
    ], file: "bench")
    let bus = Bus(id: "bench", source: .modbus(.tcp(host: "127.0.0.1", port: port)), pollInterval: .zero,
                  timeout: .milliseconds(500), commLossAfter: 3, gapFill: 8, reconnectMax: .seconds(1))
    let device = Device(id: "th", bus: "bench", unit: 1, profile: profile)
    let scans = Atomic<Int>(0)
    let worker = BusWorker(bus: bus, devices: [device]) { event in
        if case .scan(let s) = event, s.succeeded { scans.add(1, ordering: .relaxed) }
    }
    worker.start()
    try await Task.sleep(for: .milliseconds(200))  // connected and warm
    let r0 = worker.stats.requests, t0 = ContinuousClock.now
    try await Task.sleep(for: .seconds(seconds))
    let r1 = worker.stats.requests, t1 = ContinuousClock.now
    await worker.stop()
    return perSecond(r1 - r0, t1 - t0)
}

func throughput(rounds: Int, seconds: Double) async throws {
    section("Poll throughput on loopback (read 2 input registers, libmodbus server in-process)")
    let server = try BenchServer()
    defer { server.shutdown() }
    var plain: [Double] = [], worker: [Double] = []
    for _ in 0..<rounds {
        plain.append(plainLoop(port: server.port, seconds: seconds))
        worker.append(try await workerLoop(port: server.port, seconds: seconds))
    }
    let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
    print("rounds: \(rounds) x \(seconds) s each, alternating")
    print("plain libmodbus loop: \(plain.map { String(Int($0)) }.joined(separator: ", ")) req/s; median \(Int(median(plain)))")
    print("bus worker:           \(worker.map { String(Int($0)) }.joined(separator: ", ")) req/s; median \(Int(median(worker)))")
    print("ratio worker/plain (medians): \(String(format: "%.3f", median(worker) / median(plain)))")
}

do {
    if args.isEmpty || args.contains("plan") { try requestsPerScan() }
    if args.isEmpty || args.contains("throughput") { try await throughput(rounds: 5, seconds: 2) }
    if args.isEmpty || args.contains("evaluation") { try evaluationCost(scans: 20) }
    if args.isEmpty || args.contains("journal") { try await journalThroughput() }
    if args.isEmpty || args.contains("latency") { try await tripToWebhookLatency(trips: 200) }
    if args.isEmpty || args.contains("retention") { try retentionCheckCost(rounds: 5) }
    if args.isEmpty || args.contains("metrics") { try await metricsScrapeCost(scrapes: 50) }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
