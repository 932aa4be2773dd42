public import Modbus
public import SiteConfig

/// One Modbus read request: a table, a start address and a count.
public struct ReadRequest: Sendable, Hashable, CustomStringConvertible {
    public var table: ModbusTable
    public var address: Int
    public var count: Int

    public init(table: ModbusTable, address: Int, count: Int) {
        self.table = table
        self.address = address
        self.count = count
    }

    public var end: Int { address + count }
    public func contains(_ table: ModbusTable, _ address: Int, _ count: Int) -> Bool {
        table == self.table && address >= self.address && address + count <= end
    }

    public var description: String { "\(table.rawValue) \(address)+\(count)" }
}

/// The fewest read requests that cover every point of one device.
public struct RequestPlan: Sendable, Hashable {
    public var requests: [ReadRequest]
    public init(requests: [ReadRequest]) { self.requests = requests }
}

/// Coalesces a device's points into read requests.
///
/// Per table, spans sorted by address are merged while the hole between them is at most
/// `gapFill` items and the merged request stays within the table's limit (125 registers,
/// 2000 bits) and the device's own cap. Greedy merging over sorted spans is optimal here:
/// any plan must start a request at the first uncovered span, and extending it as far as the
/// limits allow never leaves more spans for later requests.
public enum RequestPlanner {
    public static func plan(points: [PointDefinition], gapFill: Int, maxRegisters: Int = 125,
                            maxBits: Int = 2000) -> RequestPlan {
        var requests: [ReadRequest] = []
        for pointTable in RegisterTable.allCases {
            let table = ModbusTable(pointTable)
            let cap = min(table.maxReadCount, table.isBitTable ? maxBits : maxRegisters)
            let spans = points.filter { $0.table == pointTable }
                .map { (start: $0.address, end: $0.address + $0.span) }
                .sorted { $0.start < $1.start }
            var current: (start: Int, end: Int)?
            for span in spans {
                if var c = current {
                    let newEnd = max(c.end, span.end)
                    if span.start - c.end <= gapFill && newEnd - c.start <= cap {
                        c.end = newEnd
                        current = c
                        continue
                    }
                    requests.append(ReadRequest(table: table, address: c.start, count: c.end - c.start))
                }
                // A span longer than the cap is split (the config loader rejects such points, but stay safe).
                var s = span
                while s.end - s.start > cap {
                    requests.append(ReadRequest(table: table, address: s.start, count: cap))
                    s.start += cap
                }
                current = s
            }
            if let c = current { requests.append(ReadRequest(table: table, address: c.start, count: c.end - c.start)) }
        }
        return RequestPlan(requests: requests)
    }

    public static func plan(for device: Device, gapFill: Int) -> RequestPlan {
        plan(points: device.profile.points, gapFill: gapFill, maxRegisters: device.maxRegistersPerRequest,
             maxBits: device.maxBitsPerRequest)
    }
}
