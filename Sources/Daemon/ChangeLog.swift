public import Alarms
public import Logging
public import SiteConfig

/// How a state change reads in the log and at which level journald files it.
public enum ChangeLog {
    /// The level and the line (control characters in names escaped), or nil when the change is not worth a line.
    public static func entry(_ change: StateChange, site: SiteConfig) -> (Logger.Level, String)? {
        text(change, site: site).map { ($0.0, Printable.line($0.1)) }
    }

    private static func text(_ change: StateChange, site: SiteConfig) -> (Logger.Level, String)? {
        switch change {
        case .zone(let zone, let from, let to, let value):
            if from == .unknown && to == .normal { return nil }  // first good value: nothing to report
            if to == .unknown { return nil }  // comm loss: the device's own line says it
            let level: Logger.Level = switch to {
            case .alarm: level(for: zone.priority)
            case .tamper: .error
            case .fault: .warning
            case .normal, .unknown: .notice
            }
            return (level, "zone \(zone.id) \(zone.name) (\(zone.type.rawValue), \(zone.priority.rawValue)): \(from.rawValue) -> \(to.rawValue) [\(zone.input)=\(value)]")
        case .sensor(let s, let from, let to, let value):
            if from == .unknown && to == .normal { return nil }
            let limits = [s.low.map { "low \(format($0))" }, s.high.map { "high \(format($0))" }].compactMap { $0 }.joined(separator: ", ")
            let unit = site.point(s.input)?.unit ?? ""
            let level: Logger.Level = to == .normal ? .notice : .error
            return (level, "sensor \(s.id) \(s.name): \(from.rawValue) -> \(to.rawValue) at \(format(value))\(unit) (\(limits))")
        case .equipment(let e, let from, let to, let value):
            if from == .unknown && to == .normal { return nil }
            let level: Logger.Level = to == .alarm ? self.level(for: e.priority) : .notice
            return (level, "equipment \(e.id) \(e.name) (\(e.priority.rawValue)): \(from.rawValue) -> \(to.rawValue) [\(e.input)=\(value)]")
        case .comm(let device, let bus, let from, let to, let detail):
            let name = site.device(device)?.name.map { " \($0)" } ?? ""
            if to == .lost {
                return (.error, "device \(device)\(name) on bus \(bus): comm lost (\(from.rawValue) -> lost): \(detail ?? "no answer")")
            }
            if from == .unknown { return nil }  // first answer after start
            return (.notice, "device \(device)\(name) on bus \(bus): comm restored (lost -> ok)")
        }
    }

    static func level(for priority: Priority) -> Logger.Level {
        switch priority {
        case .critical: .critical
        case .high: .error
        case .medium: .warning
        case .low: .notice
        case .info: .info
        }
    }

    static func format(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
