public import Polling
public import SiteConfig

/// The state of a zone's input, as an intrusion panel reports it.
public enum ZoneCondition: String, Sendable, Hashable {
    case normal, alarm, tamper, fault
    /// No good value yet, or the device is comm-lost.
    case unknown
}

/// Which side of its limits a sensor is on.
public enum SensorBand: String, Sendable, Hashable {
    case low, normal, high, unknown
}

public enum EquipmentCondition: String, Sendable, Hashable {
    case normal, alarm, unknown
}

public enum CommCondition: String, Sendable, Hashable {
    case unknown, ok, lost
}

/// Pure functions from a reading to a condition.
public enum ConditionRules {
    /// A contact input alarms at its `alarm_when` value; a supervised input names its state,
    /// and an unknown code on it is a fault (the panel cannot say what the loop is doing).
    public static func zone(_ zone: Zone, reading: Reading) -> ZoneCondition {
        switch reading {
        case .bool(let b): return b == zone.alarmWhen ? .alarm : .normal
        case .label(_, let name): return name.flatMap(ZoneCondition.init(rawValue:)) ?? .fault
        case .number(let n): return (n != 0) == zone.alarmWhen ? .alarm : .normal
        }
    }

    public static func equipment(_ e: Equipment, reading: Reading) -> EquipmentCondition {
        switch (e.alarmWhen, reading) {
        case (.bool(let want), _): return (reading.numberValue ?? 0 != 0) == want ? .alarm : .normal
        case (.label(let want), .label(_, let name)): return name == want ? .alarm : .normal
        case (.number(let want), _): return reading.numberValue == want ? .alarm : .normal
        case (.label, _): return .normal
        }
    }

    /// The band a value would enter, applying the deadband only when leaving a limit band.
    public static func band(_ s: Sensor, value: Double, current: SensorBand) -> SensorBand {
        if let high = s.high {
            if value > high { return .high }
            if current == .high && value > high - s.deadband { return .high }
        }
        if let low = s.low {
            if value < low { return .low }
            if current == .low && value < low + s.deadband { return .low }
        }
        return .normal
    }
}
