import Foundation
@testable import Daemon
import Polling
import Testing

struct ScanInboxTests {
    private func scan(_ device: String, _ closed: Bool, at t: Double) -> PollEvent {
        let time = Date(timeIntervalSince1970: t)
        return .scan(DeviceScan(device: device, bus: "lan", time: time,
                                values: ["di": PointValue(readings: [.bool(closed)], quality: .good, time: time)], requests: 1))
    }

    @Test("while the pipeline is busy, repeated identical scans coalesce and every change of a zone is kept")
    func coalescesRepeatsKeepsChanges() {
        let inbox = ScanInbox()
        // 10,000 polls of two devices; di-1's input changes 4 times among them.
        let changes: Set<Int> = [1000, 1001, 5000, 9000]
        var closed = false
        for i in 0..<10_000 {
            if changes.contains(i) { closed.toggle() }
            inbox.put(scan("di-1", closed, at: Double(i)))
            inbox.put(scan("di-2", false, at: Double(i)))
        }
        let batch = inbox.drain()
        let di1 = batch.compactMap { e -> Bool? in
            if case .scan(let s) = e, s.device == "di-1" { return s.values["di"]?.readings.first?.boolValue } else { return nil }
        }
        // Bounded by the changes, not by the poll rate; the sequence of states is intact.
        #expect(batch.count <= 2 * (changes.count + 1))
        #expect(di1 == [false, true, false, true, false])
        // The newest time of each run is kept (the scan that is handed on is the latest one).
        if case .scan(let last) = batch.last { #expect(last.time == Date(timeIntervalSince1970: 9999)) }
    }
}

struct ScanInboxSameAsLastTests {
    private func scan(_ closed: Bool, at t: Double, sameAsLast: Bool) -> PollEvent {
        let time = Date(timeIntervalSince1970: t)
        var s = DeviceScan(device: "di-1", bus: "lan", time: time,
                           values: ["di": PointValue(readings: [.bool(closed)], quality: .good, time: time)], requests: 1)
        s.sameAsLast = sameAsLast
        return .scan(s)
    }

    @Test("a repeat that replaces a waiting change is handed on as a change: the pipeline never saw the one it replaced")
    func replacedChangeStaysAChange() {
        let inbox = ScanInbox()
        inbox.put(scan(true, at: 1, sameAsLast: false))  // the zone trips
        inbox.put(scan(true, at: 2, sameAsLast: true))   // the next poll reads the same
        inbox.put(scan(true, at: 3, sameAsLast: true))
        let batch = inbox.drain()
        #expect(batch.count == 1)
        guard case .scan(let s) = batch.first else { Issue.record("no scan"); return }
        #expect(s.time == Date(timeIntervalSince1970: 3))
        #expect(!s.sameAsLast, "marked as a repeat: the trip would be skipped")
        #expect(s.values["di"]?.readings == [.bool(true)])
        // A repeat that finds no change waiting is still one.
        inbox.put(scan(true, at: 4, sameAsLast: true))
        guard case .scan(let next) = inbox.drain().first else { Issue.record("no scan"); return }
        #expect(next.sameAsLast)
    }
}
