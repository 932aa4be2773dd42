public import Polling
public import SiteConfig

/// The sensor values a scan carries, for the sensor history: a failed scan, a missing point or a
/// NaN (a failed probe often reads one) is no value.
///
/// The sensors are grouped by device once, so a scan looks at its own device's sensors only (a
/// site scan costs sensors, not devices x sensors).
public struct SensorReadings: Sendable {
    private let byDevice: [String: [Sensor]]

    public init(site: SiteConfig) {
        byDevice = Dictionary(grouping: site.sensors, by: \.input.device)
    }

    public func values(in scan: DeviceScan) -> [(sensor: String, value: Double)] {
        guard scan.succeeded, let sensors = byDevice[scan.device] else { return [] }
        return sensors.compactMap { s in
            guard let v = scan.values[s.input.point]?.readings[safe: s.input.index]?.numberValue, v.isFinite else { return nil }
            return (s.id, v)
        }
    }

    /// One scan against a site (builds the index; for a single look, not the hot path).
    public static func values(in scan: DeviceScan, site: SiteConfig) -> [(sensor: String, value: Double)] {
        SensorReadings(site: site).values(in: scan)
    }
}
