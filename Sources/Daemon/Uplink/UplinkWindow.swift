/// The events published and not yet confirmed, in seq order, and the cursor they hold back: the
/// highest seq whose event, and every earlier one, the broker has confirmed (PUBACK).
///
/// An event may take more than one publish (its event message and its alarm's retained state);
/// it counts as confirmed when all of them are. Every publish of the connection is registered,
/// even the untracked ones (status, alarm republishing), because libmosquitto may report a
/// confirmation before `publish` has returned its message id.
struct UplinkWindow {
    let capacity: Int
    /// The cursor: everything up to here is confirmed.
    private(set) var confirmed: Int64
    private var inflight: [(seq: Int64, pending: Int)] = []
    private var head = 0
    private var seqOfMid: [Int32: Int64] = [:]
    /// Message ids of publishes no event waits on.
    private var untracked: Set<Int32> = []
    /// Confirmations that came before their publish was registered.
    private var early: Set<Int32> = []

    init(capacity: Int, confirmed: Int64) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.confirmed = confirmed
    }

    /// Events published and not yet confirmed.
    var count: Int { inflight.count - head }
    var hasRoom: Bool { count < capacity }
    /// The last seq published (or the cursor, with nothing in flight).
    var lastSent: Int64 { inflight.last.map(\.seq) ?? confirmed }

    /// Records the publishes of event `seq` (in seq order); returns whether the cursor moved
    /// (all of them were confirmed already).
    mutating func sent(seq: Int64, mids: [Int32]) -> Bool {
        precondition(seq > lastSent, "events go out in seq order")
        var pending = 0
        for mid in mids {
            if early.remove(mid) == nil { seqOfMid[mid] = seq; pending += 1 }
        }
        inflight.append((seq, pending))
        return advance()
    }

    /// A publish no event waits on (its confirmation is expected and ignored).
    mutating func sentUntracked(mid: Int32) {
        if early.remove(mid) == nil { untracked.insert(mid) }
    }

    /// The broker confirmed `mid`; returns whether the cursor moved.
    mutating func confirm(mid: Int32) -> Bool {
        if untracked.remove(mid) != nil { return false }
        guard let seq = seqOfMid.removeValue(forKey: mid) else { early.insert(mid); return false }
        // The in-flight list is in seq order: find the entry by binary search.
        var lo = head, hi = inflight.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if inflight[mid].seq == seq { inflight[mid].pending -= 1; break }
            if inflight[mid].seq < seq { lo = mid + 1 } else { hi = mid - 1 }
        }
        return advance()
    }

    private mutating func advance() -> Bool {
        let before = confirmed
        while head < inflight.count && inflight[head].pending <= 0 {
            confirmed = inflight[head].seq
            head += 1
        }
        // Drop the confirmed prefix now and then, not at every step.
        if head > 1024 && head * 2 > inflight.count {
            inflight.removeFirst(head)
            head = 0
        }
        return confirmed != before
    }
}
