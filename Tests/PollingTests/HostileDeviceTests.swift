import Foundation
import Modbus
import Polling
import SiteConfig
import Synchronization
import Testing

/// Devices behind a shared TCP gateway that misbehave: each fault stays the fault of its own device.
@Suite("hostile devices on a shared gateway", .timeLimit(.minutes(1)))
struct HostileDeviceTests {
    @Test("a reply carrying another unit's id is a comm error of that device, never its data")
    func wrongUnit() async throws {
        let rig = try GatewayRig(units: [1, 2], behaviours: [2: .unitID(3)], pollInterval: .milliseconds(50),
                                 timeout: .milliseconds(200))
        try await rig.run(for: .milliseconds(700))
        let bad = rig.scans("d2")
        #expect(bad.count >= 3)
        #expect(bad.allSatisfy { !$0.succeeded && $0.values.isEmpty },
                "unit 3's registers taken as d2's: \(bad.filter(\.succeeded).count) good scans")
        let error = try #require(bad.first?.error)
        #expect(error.kind == .protocolError)
        #expect(error.description.contains("unit 3") && error.description.contains("unit 2"), "\(error)")
        let good = rig.scans("d1")
        #expect(good.count >= 5)
        #expect(good.allSatisfy { $0.succeeded && GatewayRig.unitOf($0) == 1 })
    }

    @Test("a reply with another function code is a comm error of that device")
    func wrongFunction() async throws {
        let rig = try GatewayRig(units: [1, 2], behaviours: [2: .functionCode(3)], pollInterval: .milliseconds(50),
                                 timeout: .milliseconds(200))
        try await rig.run(for: .milliseconds(500))
        let bad = rig.scans("d2")
        #expect(!bad.isEmpty)
        #expect(bad.allSatisfy { !$0.succeeded && $0.values.isEmpty })
        let text = bad.first?.error?.description ?? "none"
        #expect(text.contains("function code 3"), "\(text)")
        #expect(rig.scans("d1").allSatisfy { $0.succeeded })
    }

    @Test("a device dribbling its reply byte by byte times out at the bus timeout, comm-faulty; its neighbour keeps its rate")
    func slowLoris() async throws {
        // 125 registers: a 259-byte reply at one byte per 40 ms would take over 10 s.
        let rig = try GatewayRig(units: [1, 2], behaviours: [2: .dribble(.milliseconds(40))], registers: 125,
                                 pollInterval: .milliseconds(250), timeout: .milliseconds(200))
        let staleness = Mutex<Duration>(.zero)
        let worker = rig.worker
        try await rig.run(for: .milliseconds(2500)) {
            if let last = worker.stats.lastProgress {
                let gap = ContinuousClock.now - last
                staleness.withLock { $0 = max($0, gap) }
            }
        }
        let slow = rig.scans("d2")
        #expect(!slow.isEmpty)
        #expect(slow.allSatisfy { !$0.succeeded })
        let error = try #require(slow.first?.error)
        #expect(error.kind == .timeout)
        #expect(error.description.contains("timed out after 200 ms: reply incomplete"), "\(error)")
        #expect(slow.contains { $0.transition == .lost }, "the slow device is reported comm-lost")
        // Nominal 10 polls in 2.5 s; the slow neighbour costs one 200 ms timeout per cycle at most.
        let healthy = rig.scans("d1")
        #expect(healthy.count >= 7, "d1 polled \(healthy.count) times in 2.5 s")
        #expect(healthy.allSatisfy { $0.succeeded && GatewayRig.unitOf($0) == 1 })
        // Progress is reported at least once per transaction, and a transaction ends by its deadline.
        let worst = staleness.withLock { $0 }
        #expect(worst < .milliseconds(1000), "the bus reported no progress for \(worst)")
    }

    @Test("busy and acknowledge exceptions are retried; the poll succeeds")
    func busyIsRetried() async throws {
        let rig = try GatewayRig(units: [1, 2], behaviours: [1: .exception(6, times: 1), 2: .exception(5, times: 2)],
                                 pollInterval: .milliseconds(100), timeout: .milliseconds(200))
        try await rig.run(for: .milliseconds(400))
        #expect(rig.scans("d1").first?.succeeded == true, "\(rig.scans("d1").first?.error?.description ?? "")")
        #expect(rig.scans("d2").first?.succeeded == true, "\(rig.scans("d2").first?.error?.description ?? "")")
        #expect(rig.scans("d1").allSatisfy { $0.succeeded })
        #expect(rig.scans("d2").allSatisfy { $0.succeeded })
    }

    @Test("a device that stays busy is comm-faulty with the exception named")
    func staysBusy() async throws {
        let rig = try GatewayRig(units: [1], behaviours: [1: .exception(6, times: 1000)],
                                 pollInterval: .milliseconds(100), timeout: .milliseconds(200), commLossAfter: 1)
        try await rig.run(for: .milliseconds(400))
        let first = try #require(rig.scans("d1").first)
        #expect(!first.succeeded && first.transition == .lost)
        #expect(first.error?.description.contains("exception 6 (server device busy)") == true)
    }

    @Test("exception 2 is reported as a configuration fault naming the address and the profile points behind it")
    func illegalAddress() async throws {
        let rig = try GatewayRig(units: [1, 2], behaviours: [2: .exception(2, times: 1000)], pollInterval: .milliseconds(100),
                                 timeout: .milliseconds(200), commLossAfter: 1)
        try await rig.run(for: .milliseconds(300))
        let error = try #require(rig.scans("d2").first?.error)
        #expect(error.kind == .configuration)
        let text = error.description
        #expect(text.contains("input_register address 0 count 2"), "\(text)")
        #expect(text.contains("configuration fault") && text.contains("points first, last of profile t"), "\(text)")
        #expect(rig.scans("d1").allSatisfy { $0.succeeded })
    }

    @Test("each bus thread is named bus-<id> in /proc, truncated to Linux's 15 characters")
    func threadName() async throws {
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let bus = Bus(id: "t\(tag)-a-long-bus-name", source: .modbus(.tcp(host: "127.0.0.1", port: 1)), pollInterval: .milliseconds(100),
                      timeout: .milliseconds(50))
        let worker = BusWorker(bus: bus, devices: []) { _ in }
        worker.start()
        defer { worker.requestStop() }
        let expected = String("bus-\(bus.id)".prefix(15))
        var names: [String] = []
        // Up to 10 s for the thread to start: a loaded machine may take a while, a missing name never shows.
        for _ in 0..<500 {
            names = Self.threadNames()
            if names.contains(expected) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(names.contains(expected), "no thread \(expected) in \(names.filter { $0.hasPrefix("bus-") })")
    }

    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
