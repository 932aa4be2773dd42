import Foundation
@testable import Journal
import Synchronization
import Testing

@Suite("journal reads are bounded")
struct ReadSlotsTests {
    final class Gauge: Sendable {
        let state = Mutex((now: 0, most: 0, done: 0))
        func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { state.withLock { $0.now -= 1; $0.done += 1 } }
    }

    @Test("20 holders of 3 slots: never more than 3 at once, all 3 used, every one served")
    func slotBound() async {
        let slots = ReadSlots(count: 3)
        let gauge = Gauge()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await slots.acquire()
                    gauge.enter()
                    try? await Task.sleep(for: .milliseconds(5))
                    gauge.leave()
                    slots.release()
                }
            }
        }
        let g = gauge.state.withLock { $0 }
        #expect(g.done == 20)
        #expect(g.most == 3)
        #expect(slots.waitingCount == 0)
    }

    final class Order: Sendable { let list = Mutex<[Int]>([]) }

    @Test("40 concurrent journal reads all finish, never more at once than its read slots")
    func bounded() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("readslots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await journal.reading { j in
                        gauge.enter()
                        defer { gauge.leave() }
                        Thread.sleep(forTimeInterval: 0.01)
                        return try j.lastSeq()
                    }
                }
            }
            for try await seq in group { #expect(seq == 0) }
        }
        let g = gauge.state.withLock { $0 }
        #expect(g.done == 40)
        #expect(g.most <= journal.readSlots.count)
        #expect(g.most >= 1)
    }

    @Test("a waiting reader gets the slot that is handed on, in the order they asked")
    func fifo() async {
        let slots = ReadSlots(count: 1)
        await slots.acquire()
        let order = Order()
        var waiters: [Task<Void, Never>] = []
        for i in 1...3 {
            waiters.append(Task {
                await slots.acquire()
                order.list.withLock { $0.append(i) }
                slots.release()
            })
            // Queued before the next one asks, so the order they asked in is known.
            while slots.waitingCount < i { await Task.yield() }
        }
        slots.release()
        for w in waiters { await w.value }
        #expect(order.list.withLock { $0 } == [1, 2, 3])
    }
}
