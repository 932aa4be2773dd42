import Foundation
import Modbus
import Polling
import SiteConfig
import Testing

/// A holding-register point, for short plan tables.
private func hr(_ name: String, _ address: Int, count: Int = 1, type: ValueType = .uint16, bit: Int? = nil)
    -> PointDefinition
{
    PointDefinition(name: name, table: .holdingRegister, address: address, count: count, type: type, bit: bit)
}

private func req(_ table: ModbusTable, _ address: Int, _ count: Int) -> ReadRequest {
    ReadRequest(table: table, address: address, count: count)
}

struct RequestPlannerTests {
    @Test("contiguous points are read in one request")
    func contiguousPointsMerge() {
        let plan = RequestPlanner.plan(points: [hr("a", 10), hr("b", 11), hr("c", 12, count: 3)], gapFill: 0)
        #expect(plan.requests == [req(.holdingRegister, 10, 5)])
    }

    @Test("points given out of address order are still merged")
    func unsortedPointsMerge() {
        let plan = RequestPlanner.plan(points: [hr("c", 12), hr("a", 10), hr("b", 11)], gapFill: 0)
        #expect(plan.requests == [req(.holdingRegister, 10, 3)])
    }

    @Test(
        "a hole of at most gap_fill registers is read through; a larger one splits the read",
        arguments: [
            // (second point's address, gapFill, expected requests); the first point is register 0.
            (5, 4, [req(.holdingRegister, 0, 6)]),  // hole of 4 == gapFill: merged
            (5, 3, [req(.holdingRegister, 0, 1), req(.holdingRegister, 5, 1)]),  // hole of 4 > 3: split
            (1, 0, [req(.holdingRegister, 0, 2)]),  // no hole, no gap fill needed
            (2, 0, [req(.holdingRegister, 0, 1), req(.holdingRegister, 2, 1)]),  // hole of 1 > 0
        ])
    func gapFill(second: Int, gapFill: Int, expected: [ReadRequest]) {
        let plan = RequestPlanner.plan(points: [hr("a", 0), hr("b", second)], gapFill: gapFill)
        #expect(plan.requests == expected)
    }

    @Test(
        "125 registers fit one read, 126 need two",
        arguments: [
            (124, [req(.holdingRegister, 0, 125)]),
            (125, [req(.holdingRegister, 0, 125), req(.holdingRegister, 125, 1)]),
        ])
    func registerLimit(lastAddress: Int, expected: [ReadRequest]) {
        let points = (0...lastAddress).map { hr("r\($0)", $0) }
        #expect(RequestPlanner.plan(points: points, gapFill: 8).requests == expected)
    }

    @Test(
        "2000 bits fit one read, 2001 need two",
        arguments: [
            (2000, [req(.coil, 0, 2000)]),
            (2001, [req(.coil, 0, 2000), req(.coil, 2000, 1)]),
        ])
    func bitLimit(bits: Int, expected: [ReadRequest]) {
        let points = (0..<bits).map { PointDefinition(name: "c\($0)", table: .coil, address: $0) }
        #expect(RequestPlanner.plan(points: points, gapFill: 0).requests == expected)
    }

    @Test("one point is never split across reads: the read ends before a point that would not fit")
    func pointsAreNotSplit() {
        let points = [
            PointDefinition(name: "a", table: .coil, address: 0, count: 1000),
            PointDefinition(name: "b", table: .coil, address: 1000, count: 1001),
        ]
        #expect(RequestPlanner.plan(points: points, gapFill: 0).requests == [req(.coil, 0, 1000), req(.coil, 1000, 1001)])
    }

    @Test("a device that accepts at most 10 registers per read gets reads of at most 10")
    func deviceCapSplits() {
        let points = (0..<25).map { hr("r\($0)", $0) }
        let plan = RequestPlanner.plan(points: points, gapFill: 8, maxRegisters: 10)
        #expect(
            plan.requests == [req(.holdingRegister, 0, 10), req(.holdingRegister, 10, 10), req(.holdingRegister, 20, 5)])
    }

    @Test("a device cap on bits splits bit reads but leaves register reads alone")
    func bitCapSplits() {
        let points = [
            PointDefinition(name: "di", table: .discreteInput, address: 0, count: 16),
            hr("r", 0, count: 16),
        ]
        let plan = RequestPlanner.plan(points: points, gapFill: 0, maxRegisters: 125, maxBits: 8)
        #expect(Set(plan.requests) == [req(.discreteInput, 0, 8), req(.discreteInput, 8, 8), req(.holdingRegister, 0, 16)])
        #expect(plan.requests.count == 3)
    }

    @Test("the same address in different tables is never one read")
    func tablesNeverMix() {
        let points = RegisterTable.allCases.map { PointDefinition(name: $0.rawValue, table: $0, address: 0) }
        let plan = RequestPlanner.plan(points: points, gapFill: 8)
        #expect(Set(plan.requests) == Set(ModbusTable.allCases.map { req($0, 0, 1) }))
        #expect(plan.requests.count == 4)
    }

    @Test("32-bit points take two registers each")
    func thirtyTwoBitPointsCountTwo() {
        let points = [hr("a", 0, type: .float32), hr("b", 2, type: .uint32), hr("c", 4, count: 2, type: .int32)]
        #expect(RequestPlanner.plan(points: points, gapFill: 0).requests == [req(.holdingRegister, 0, 8)])
        // 63 float32 values are 126 registers: more than one read.
        let many = [hr("f", 0, count: 62, type: .float32), hr("g", 124, type: .float32)]
        #expect(
            RequestPlanner.plan(points: many, gapFill: 0).requests
                == [req(.holdingRegister, 0, 124), req(.holdingRegister, 124, 2)])
    }

    @Test("a status word and bits of its low register are one read")
    func overlappingPointsShareOneRead() {
        // As in the APC profile: uint32 at 0..1, and bits of register 1.
        let points = [hr("status", 0, type: .uint32), hr("online", 1, bit: 1), hr("on_battery", 1, bit: 2)]
        #expect(RequestPlanner.plan(points: points, gapFill: 0).requests == [req(.holdingRegister, 0, 2)])
    }

    @Test("no points, no reads")
    func emptyPlan() {
        #expect(RequestPlanner.plan(points: [], gapFill: 8).requests.isEmpty)
    }

    @Test("the demo site is polled with far fewer reads than one per point element")
    func demoSitePlan() throws {
        let config = try SiteConfigLoader().load(file: packageRoot + "/devices/sites/demo.yaml")
        var plans: [String: [ReadRequest]] = [:]
        for device in config.devices {
            let bus = try #require(config.bus(device.bus))
            plans[device.id] = RequestPlanner.plan(for: device, gapFill: bus.gapFill).requests
        }
        // By hand from devices/*.yaml, gap_fill 8 (the default) on both demo buses.
        #expect(plans["di-1"] == [req(.coil, 0, 16), req(.discreteInput, 0, 16)])
        // coil arm 0..7 + reset 8; inputs bypass 0..7, tamper 16, ac 17, battery 18 (hole of 8 read through).
        #expect(plans["exp-1"] == [req(.coil, 0, 9), req(.discreteInput, 0, 19), req(.inputRegister, 0, 8)])
        #expect(plans["nvr-io"] == [req(.discreteInput, 0, 8)])
        #expect(plans["cab-1"] == [req(.discreteInput, 0, 6)])
        #expect(plans["th-1"] == [req(.holdingRegister, 257, 4), req(.inputRegister, 1, 2)])
        // Status 0..1 with its bits; then 128..144 (holes of 3, 5 and 1); 2..127 is a hole of 126 > 8.
        #expect(plans["ups-1"] == [req(.holdingRegister, 0, 2), req(.holdingRegister, 128, 17)])

        let requests = plans.values.reduce(0) { $0 + $1.count }
        let elements = config.devices.reduce(0) { $0 + $1.profile.points.reduce(0) { $0 + $1.count } }
        #expect(requests == 11)
        #expect(elements == 95)  // 32 + 28 + 8 + 6 + 6 + 15
    }
}

/// The package root, found from this file's path (Tests/PollingTests/...).
let packageRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
