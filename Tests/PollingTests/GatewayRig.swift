import Foundation
import Modbus
import Polling
import SiteConfig
import Synchronization

/// A bus worker polling devices behind one `HostileGateway`, recording every scan.
final class GatewayRig: Sendable {
    let gateway: HostileGateway
    let worker: BusWorker
    private let log = ScanLog()

    /// Devices `d1`, `d2`, ... with units 1, 2, ...; each reads input registers `0..<registers`
    /// (one request: the gap is filled).
    init(units: [UInt8], behaviours: [UInt8: HostileGateway.Behaviour] = [:], registers: Int = 2,
         pollInterval: Duration, timeout: Duration, commLossAfter: Int = 3) throws {
        gateway = try HostileGateway(behaviours)
        let points = [
            PointDefinition(name: "first", table: .inputRegister, address: 0, type: .uint16),
            PointDefinition(name: "last", table: .inputRegister, address: registers - 1, type: .uint16),
        ]
        let profile = DeviceProfile(model: "t", source: "test", points: points, file: "t")
        let bus = Bus(id: "gw", source: .modbus(.tcp(host: "127.0.0.1", port: gateway.port)), pollInterval: pollInterval,
                      timeout: timeout, commLossAfter: commLossAfter, gapFill: 124, reconnectMax: .seconds(1))
        let devices = units.map { Device(id: "d\($0)", bus: "gw", unit: Int($0), profile: profile) }
        worker = BusWorker(bus: bus, devices: devices) { [log] event in
            if case .scan(let s) = event { log.scans.withLock { $0.append(s) } }
        }
    }

    func scans(_ device: String) -> [DeviceScan] { log.scans.withLock { $0.filter { $0.device == device } } }

    /// Runs the worker for `duration`, then stops it and the gateway.
    func run(for duration: Duration, sampling: (@Sendable () -> Void)? = nil) async throws {
        worker.start()
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            sampling?()
            try await Task.sleep(for: .milliseconds(10))
        }
        await worker.stop()
        gateway.stop()
    }

    /// The unit whose registers a good scan carried (nil when they match no unit).
    static func unitOf(_ scan: DeviceScan) -> Int? {
        guard case .number(let v)? = scan.values["first"]?.readings.first else { return nil }
        return Int(v) / 1000
    }
}

final class ScanLog: Sendable {
    let scans = Mutex<[DeviceScan]>([])
}
