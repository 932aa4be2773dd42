import Alarms
import Foundation
import Polling
import SiteConfig
import Testing

/// The sensor history takes only real values from a scan.
struct SensorReadingsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a scan gives the values of its device's sensors; a NaN, another device or a failed scan gives none")
    func values() throws {
        let site = try loadSite()
        let good = DeviceScan(device: "th-1", bus: "lan", time: t0,
                              values: ["temperature": PointValue(readings: [.number(25.5)], quality: .good, time: t0)])
        let values = SensorReadings.values(in: good, site: site)
        #expect(values.count == 1 && values.first?.sensor == "room-temp" && values.first?.value == 25.5)
        let nan = DeviceScan(device: "th-1", bus: "lan", time: t0,
                             values: ["temperature": PointValue(readings: [.number(.nan)], quality: .good, time: t0)])
        #expect(SensorReadings.values(in: nan, site: site).isEmpty)
        #expect(SensorReadings.values(in: Scans.di1(at: t0), site: site).isEmpty)
        let failed = DeviceScan(device: "th-1", bus: "lan", time: t0, values: [:], error: PointError(.timeout, "no reply"),
                                transition: nil, consecutiveFailures: 1, requests: 1)
        #expect(SensorReadings.values(in: failed, site: site).isEmpty)
    }
}
