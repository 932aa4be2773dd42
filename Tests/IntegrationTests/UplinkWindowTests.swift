@testable import Daemon
import Testing

/// The cursor moves only over events whose every publish the broker confirmed, in seq order,
/// whatever order the PUBACKs come in.
struct UplinkWindowTests {
    @Test("the cursor stops at the first unconfirmed event and jumps when it is confirmed")
    func holesHoldTheCursor() {
        var w = UplinkWindow(capacity: 10, confirmed: 100)
        var moved = false
        moved = w.sent(seq: 101, mids: [1])
        #expect(!moved)
        moved = w.sent(seq: 102, mids: [2, 3])  // an alarm event: its message and its retained state
        #expect(!moved)
        moved = w.sent(seq: 105, mids: [4])     // seqs need not be consecutive (a pruned journal)
        #expect(!moved)
        moved = w.confirm(mid: 4)
        #expect(!moved)
        moved = w.confirm(mid: 2)
        #expect(!moved)
        #expect(w.confirmed == 100)
        moved = w.confirm(mid: 1)
        #expect(moved)
        #expect(w.confirmed == 101)
        moved = w.confirm(mid: 3)
        #expect(moved)
        #expect(w.confirmed == 105 && w.count == 0)
    }

    @Test("a PUBACK that comes before its publish was registered still counts")
    func earlyConfirmation() {
        var w = UplinkWindow(capacity: 2, confirmed: 0)
        var moved = false
        moved = w.confirm(mid: 7)
        #expect(!moved)
        moved = w.sent(seq: 1, mids: [7])
        #expect(moved)
        #expect(w.confirmed == 1)
        w.sentUntracked(mid: 8)  // the status message: its PUBACK is ignored...
        moved = w.confirm(mid: 8)
        #expect(!moved)
        moved = w.confirm(mid: 9)  // ...and an early one is kept for its publish
        #expect(!moved)
        w.sentUntracked(mid: 9)
        moved = w.sent(seq: 2, mids: [10])
        #expect(!moved)
        moved = w.confirm(mid: 10)
        #expect(moved && w.confirmed == 2)
    }

    @Test("the window is full at its capacity of unconfirmed events")
    func capacity() {
        var w = UplinkWindow(capacity: 2, confirmed: 0)
        _ = w.sent(seq: 1, mids: [1])
        #expect(w.hasRoom)
        _ = w.sent(seq: 2, mids: [2])
        #expect(!w.hasRoom)
        _ = w.confirm(mid: 2)
        #expect(!w.hasRoom)  // 2 is confirmed but 1 is not: both still count
        _ = w.confirm(mid: 1)
        #expect(w.hasRoom && w.count == 0)
    }

    @Test("many events: the in-flight list is compacted without losing the order")
    func compaction() {
        var w = UplinkWindow(capacity: 5000, confirmed: 0)
        for s in 1...3000 { _ = w.sent(seq: Int64(s), mids: [Int32(s)]) }
        for s in stride(from: 3000, through: 1, by: -1) where s != 1500 { _ = w.confirm(mid: Int32(s)) }
        #expect(w.confirmed == 1499)
        _ = w.confirm(mid: 1500)
        #expect(w.confirmed == 3000 && w.count == 0)
        for s in 3001...5000 { _ = w.sent(seq: Int64(s), mids: [Int32(s)]); _ = w.confirm(mid: Int32(s)) }
        #expect(w.confirmed == 5000)
    }
}
