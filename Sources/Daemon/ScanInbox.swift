import Polling
import Synchronization

/// Where bus workers drop their events; the pipeline takes everything waiting in one go, so a
/// storm becomes a few large batches (one journal commit each) instead of many small ones.
///
/// While the pipeline is busy (a long commit, a slow disk) a device's repeated identical scans
/// are coalesced into the newest one, so the inbox grows with changes, never with the poll rate;
/// a scan that differs from the one before it (a zone's transition) is always kept.
final class ScanInbox: Sendable {
    private struct Pending {
        var events: [PollEvent] = []
        /// Where each device's newest waiting scan is in `events`.
        var lastScan: [String: Int] = [:]
    }
    private let pending = Mutex(Pending())
    private let signal: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>

    init() {
        (wakeups, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Only the event that finds the inbox empty wakes the pipeline: the ones after it join the
    /// batch it will drain (one wake-up per batch, not per device scan).
    func put(_ event: PollEvent) {
        let wasEmpty = pending.withLock { p -> Bool in
            let wasEmpty = p.events.isEmpty
            if case .scan(let scan) = event {
                if let i = p.lastScan[scan.device], case .scan(let previous) = p.events[i], Self.same(previous, scan) {
                    // The newer one stands in for both: it is "the same as the last" only if the
                    // one it replaces was (the pipeline has not seen the replaced one).
                    var merged = scan
                    merged.sameAsLast = previous.sameAsLast
                    p.events[i] = .scan(merged)
                    return false
                }
                p.lastScan[scan.device] = p.events.count
            }
            p.events.append(event)
            return wasEmpty
        }
        if wasEmpty { signal.yield() }
    }

    /// Two good scans of a device that read the same (only their times differ).
    static func same(_ a: DeviceScan, _ b: DeviceScan) -> Bool {
        guard a.succeeded, b.succeeded, a.transition == nil, b.transition == nil, a.values.count == b.values.count else { return false }
        // The worker says so itself when nothing changed (the newer one shares the older one's values).
        if b.sameAsLast { return true }
        for (name, value) in a.values {
            guard let other = b.values[name], other.readings == value.readings, other.quality == value.quality else { return false }
        }
        return true
    }

    func drain() -> [PollEvent] {
        pending.withLock { p in
            defer { p.events.removeAll(keepingCapacity: true); p.lastScan.removeAll(keepingCapacity: true) }
            return p.events
        }
    }

    func close() { signal.finish() }
}
