import Foundation
import Modbus
@testable import Polling

/// Polls of the dry-contact module di-1 as a bus worker reports them.
enum Scans {
    /// A good poll of di-1 with these inputs closed (true = alarm for the test site's zones).
    static func di1(closed: Set<Int> = [], at time: Date) -> DeviceScan {
        let di = (0..<16).map { Reading.bool(closed.contains($0)) }
        return DeviceScan(device: "di-1", bus: "lan", time: time,
                          values: ["di": PointValue(readings: di, quality: .good, time: time)],
                          error: nil, transition: nil, consecutiveFailures: 0, requests: 1)
    }

    /// A failed poll of di-1; the `failures`-th in a row (the bus reports comm loss at 3).
    static func di1Failed(failures: Int, at time: Date) -> DeviceScan {
        DeviceScan(device: "di-1", bus: "lan", time: time, values: [:],
                   error: PointError(.timeout, "read discrete inputs: timed out after 300 ms: no reply"),
                   transition: failures == 3 ? .lost : nil, consecutiveFailures: failures, requests: 1)
    }

    /// Input indexes of the test site's zones on di-1.
    static let Z01 = 0, Y01 = 2, F01 = 8, H01 = 10
}
