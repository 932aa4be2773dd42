public import Polling
public import SiteConfig

/// The sensor values a scan carries, for the sensor history: a failed scan, a missing point or a
/// NaN (a failed probe often reads one) is no value.
public enum SensorReadings {
    public static func values(in scan: DeviceScan, site: SiteConfig) -> [(sensor: String, value: Double)] {
        guard scan.succeeded else { return [] }
        return site.sensors.compactMap { s in
            guard s.input.device == scan.device, let v = scan.values[s.input.point]?.readings[safe: s.input.index]?.numberValue, v.isFinite else {
                return nil
            }
            return (s.id, v)
        }
    }
}
