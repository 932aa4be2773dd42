import Foundation
import Modbus
import Polling
import SiteConfig
import Synchronization
import Testing

/// The bus worker marks a scan that read exactly what the previous good one read, and shares that
/// scan's decoded values; a change or a failure in between ends the run of repeats.
@Suite("scans that read the same", .timeLimit(.minutes(1)))
struct SameAsLastTests {
    /// A slave whose first input register the test sets, and which answers exception 4 while told to.
    final class SettableServer: Sendable {
        let port: Int
        let value = Atomic<UInt16>(7)
        let failing = Atomic<Bool>(false)
        private let stopping = Atomic<Bool>(false)
        private let done = DispatchSemaphore(value: 0)
        struct Box: @unchecked Sendable { let server: ModbusTCPServer; let mapping: ModbusMapping }

        init() throws {
            let box = Box(server: try ModbusTCPServer(host: "127.0.0.1", port: 0),
                          mapping: try ModbusMapping(coils: 1, discreteInputs: 1, holdingRegisters: 1, inputRegisters: 2))
            port = box.server.port
            Thread { [self] in
                box.server.serve(tick: .milliseconds(10), until: { self.stopping.load(ordering: .relaxed) }) { _, reply in
                    if self.failing.load(ordering: .relaxed) { reply(.exception(4)); return }
                    box.mapping.setRegister(.inputRegister, 0, self.value.load(ordering: .relaxed))
                    reply(.reply(box.mapping))
                }
                self.done.signal()
            }.start()
        }
        func stop() { stopping.store(true, ordering: .relaxed); done.wait() }
    }

    private static func until(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("repeats are marked and share the values; a changed register and a failed poll each end the run")
    func marksRepeats() async throws {
        let server = try SettableServer()
        defer { server.stop() }
        let profile = DeviceProfile(model: "t", source: "test", points: [
            PointDefinition(name: "a", table: .inputRegister, address: 0, type: .uint16),
            PointDefinition(name: "b", table: .inputRegister, address: 1, type: .uint16),
        ], file: "t")
        let bus = Bus(id: "lan", source: .modbus(.tcp(host: "127.0.0.1", port: server.port)), pollInterval: .milliseconds(10),
                      timeout: .milliseconds(250), commLossAfter: 10, reconnectMax: .seconds(1))
        let scans = Mutex<[DeviceScan]>([])
        let worker = BusWorker(bus: bus, devices: [Device(id: "d", bus: "lan", unit: 1, profile: profile)]) { event in
            if case .scan(let s) = event { scans.withLock { $0.append(s) } }
        }
        worker.start()
        defer { worker.requestStop() }
        let count = { scans.withLock { $0.count } }
        #expect(try await Self.until { count() >= 5 })
        server.value.store(8, ordering: .relaxed)
        var mark = count()
        #expect(try await Self.until { scans.withLock { $0.last?.values["a"]?.readings == [.number(8)] } && count() >= mark + 5 })
        server.failing.store(true, ordering: .relaxed)
        mark = count()
        #expect(try await Self.until { count() >= mark + 2 })
        server.failing.store(false, ordering: .relaxed)
        mark = count()
        #expect(try await Self.until { count() >= mark + 5 })
        await worker.stop()

        let all = scans.withLock { $0 }
        var previous: DeviceScan?
        var repeats = 0
        for s in all {
            defer { previous = s }
            guard s.succeeded else { #expect(!s.sameAsLast); continue }
            let a = s.values["a"]?.readings
            if let p = previous, p.succeeded, p.values["a"]?.readings == a {
                #expect(s.sameAsLast, "a repeat of \(a ?? []) after a good scan is marked")
                repeats += 1
            } else {
                #expect(!s.sameAsLast, "the first good scan after a change or a failure is evaluated: \(a ?? [])")
            }
            #expect(s.values["b"]?.readings == [.number(0)])
        }
        #expect(repeats >= 10)
        #expect(all.contains { !$0.succeeded })
    }
}
