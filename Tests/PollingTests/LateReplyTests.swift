import Foundation
import Modbus
import Polling
import SiteConfig
import Synchronization
import Testing

/// Telegraf #14317: a late TCP reply left transaction ids off by one until restart. Ours is discarded by its transaction id.
@Suite("late replies and transaction-id desync", .timeLimit(.minutes(1)))
struct LateReplyTests {
    /// A slave that answers its first `lateReplies` requests after `delay` (later than the master waits).
    final class SlowServer: Sendable {
        let port: Int
        private let stopping = Atomic<Bool>(false)
        private let done = DispatchSemaphore(value: 0)
        private let served = Atomic<Int>(0)
        struct Box: @unchecked Sendable { let server: ModbusTCPServer }

        init(lateReplies: Int, delay: Duration, value: UInt16) throws {
            let mapping = try ModbusMapping(coils: 1, discreteInputs: 1, holdingRegisters: 1, inputRegisters: 8)
            for i in 0..<8 { mapping.setRegister(.inputRegister, i, value + UInt16(i)) }
            let box = Box(server: try ModbusTCPServer(host: "127.0.0.1", port: 0))
            port = box.server.port
            Thread { [self] in
                box.server.serve(tick: .milliseconds(10), until: { self.stopping.load(ordering: .relaxed) }) { _, reply in
                    let n = self.served.add(1, ordering: .relaxed).newValue
                    if n <= lateReplies { Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18) }
                    reply(.reply(mapping))
                }
                self.done.signal()
            }.start()
        }
        var requests: Int { served.load(ordering: .relaxed) }
        func stop() { stopping.store(true, ordering: .relaxed); done.wait() }
    }

    @Test("after a reply that arrives too late, the next polls decode the right values (the stale reply is flushed, not carried)")
    func desync() async throws {
        let server = try SlowServer(lateReplies: 1, delay: .milliseconds(400), value: 300)
        defer { server.stop() }
        let profile = DeviceProfile(model: "t", source: "test", points: [
            PointDefinition(name: "a", table: .inputRegister, address: 0, type: .uint16),
            PointDefinition(name: "b", table: .inputRegister, address: 1, type: .uint16),
        ], file: "t")
        let bus = Bus(id: "lan", source: .modbus(.tcp(host: "127.0.0.1", port: server.port)), pollInterval: .milliseconds(50),
                      timeout: .milliseconds(250), commLossAfter: 10, reconnectMax: .seconds(1))
        let scans = Mutex<[DeviceScan]>([])
        let worker = BusWorker(bus: bus, devices: [Device(id: "d", bus: "lan", unit: 1, profile: profile)]) { event in
            if case .scan(let s) = event { scans.withLock { $0.append(s) } }
        }
        worker.start()
        defer { worker.requestStop() }
        try await Task.sleep(for: .milliseconds(2000))
        let all = scans.withLock { $0 }
        #expect(all.first?.error?.kind == .timeout, "the first poll times out: \(all.first.map { "\($0.error?.description ?? "ok")" } ?? "none")")
        let good = all.filter(\.succeeded)
        #expect(good.count >= 5, "polling resumed: \(good.count) good scans")
        // Every good scan has exactly the right values: none decoded a stale reply to another request.
        for s in good {
            #expect(s.values["a"]?.readings == [.number(300)] && s.values["b"]?.readings == [.number(301)])
        }
    }

    @Test("a neighbour that answers late (300 ms, timeout 200 ms) never costs the healthy device on the same gateway a poll")
    func lateNeighbour() async throws {
        // The gateway answers in turn, so the late reply must come after d2's deadline (200 ms) and
        // before d1's, which starts then (400 ms): 300 ms leaves a loaded machine 100 ms either way.
        let rig = try GatewayRig(units: [1, 2], behaviours: [2: .late(.milliseconds(300))], pollInterval: .milliseconds(100),
                                 timeout: .milliseconds(200), commLossAfter: 100)
        try await rig.run(for: .milliseconds(2000))
        let healthy = rig.scans("d1")
        #expect(healthy.count >= 5)
        let failed = healthy.filter { !$0.succeeded }
        #expect(failed.isEmpty, "d1 failed \(failed.count) of \(healthy.count) polls: \(failed.first?.error?.description ?? "")")
        #expect(healthy.allSatisfy { !$0.succeeded || GatewayRig.unitOf($0) == 1 }, "a stale reply was decoded as d1's")
        let late = rig.scans("d2")
        #expect(!late.isEmpty)
        #expect(late.allSatisfy { $0.error?.kind == .timeout })
        #expect(late.first?.error?.description.contains("timed out after 200 ms") == true, "\(late.first?.error?.description ?? "")")
    }

    @Test("a neighbour that answers twice: its duplicate is discarded, both devices keep answering every poll")
    func duplicateReplies() async throws {
        let rig = try GatewayRig(units: [1, 2], behaviours: [2: .twice], pollInterval: .milliseconds(50),
                                 timeout: .milliseconds(200), commLossAfter: 100)
        try await rig.run(for: .milliseconds(1000))
        for (device, unit) in [("d1", 1), ("d2", 2)] {
            let scans = rig.scans(device)
            #expect(scans.count >= 5)
            let failed = scans.filter { !$0.succeeded }
            #expect(failed.isEmpty, "\(device) failed \(failed.count) of \(scans.count): \(failed.first?.error?.description ?? "")")
            #expect(scans.allSatisfy { !$0.succeeded || GatewayRig.unitOf($0) == unit }, "\(device) decoded another unit's reply")
        }
    }
}
