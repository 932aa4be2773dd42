import Foundation
import Polling
public import SiteConfig

/// `watchroomd check-config`: every mistake with its location, or a one-line summary.
public enum ConfigCheck {
    public struct Report: Sendable {
        public let exitCode: Int32
        public let output: String
    }

    public static func run(file: String, showPlan: Bool) -> Report {
        do {
            let config = try SiteConfigLoader().load(file: file)
            var text = summary(config)
            if showPlan { text += "\n" + plan(config) }
            return Report(exitCode: 0, output: text)
        } catch {
            let n = error.diagnostics.count
            return Report(exitCode: 2, output: error.description + "\n\(n) error\(n == 1 ? "" : "s") in \(file)")
        }
    }

    public static func summary(_ c: SiteConfig) -> String {
        let points = c.devices.reduce(0) { $0 + c.polledPoints(of: $1).reduce(0) { $0 + $1.count } }
        let requests = c.devices.reduce(0) { $0 + c.plan(for: $1).requests.count }
        return "ok: \(c.siteName): \(c.buses.count) buses, \(c.devices.count) devices, \(points) points, "
            + "\(requests) requests per scan (\(c.zones.count) zones, \(c.sensors.count) sensors, "
            + "\(c.equipment.count) equipment, \(c.recorders.count) recorders)"
    }

    /// Per bus and device: the requests of one scan.
    public static func plan(_ c: SiteConfig) -> String {
        var lines: [String] = []
        for bus in c.buses {
            lines.append("bus \(bus.id) \(bus.endpoint) every \(bus.pollInterval), timeout \(bus.timeout)")
            for d in c.devices(on: bus.id) {
                let plan = c.plan(for: d)
                lines.append("  device \(d.id) unit \(d.unit) (\(d.profile.model)): \(plan.requests.count) requests, "
                    + "one per point would be \(c.naiveRequestCount(for: d))")
                for r in plan.requests { lines.append("    \(r)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
