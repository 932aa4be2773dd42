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
