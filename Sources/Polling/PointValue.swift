public import Foundation

/// A decoded value of one point element.
public enum Reading: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case number(Double)
    /// An enum point: the raw code and its label (or nil when the device sent an unknown code).
    case label(code: Int, name: String?)

    public var description: String {
        switch self {
        case .bool(let b): b ? "1" : "0"
        case .number(let n): Reading.format(n)
        case .label(let code, let name): name ?? "unknown(\(code))"
        }
    }

    /// Up to three decimals, without trailing zeros or a trailing point.
    static func format(_ n: Double) -> String {
        guard n.isFinite else { return String(n) }
        var text = String(format: "%.3f", n)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var numberValue: Double? {
        switch self {
        case .number(let n): n
        case .bool(let b): b ? 1 : 0
        case .label(let code, _): Double(code)
        }
    }
    public var labelValue: String? { if case .label(_, let n) = self { n } else { nil } }
}

/// How far a value can be trusted.
public enum Quality: String, Sendable, Hashable {
    /// Read in the latest poll.
    case good
    /// The device did not answer this time; the value is the last good one.
    case stale
    /// The device is comm-lost; the value must not be acted upon.
    case commFail = "comm-fail"
}

/// The values of one point (every element) with quality and time: when the device first
/// answered these readings (a scan that reads the same again shares them; its own time is the scan's).
public struct PointValue: Sendable, Hashable {
    public var readings: [Reading]
    public var quality: Quality
    public var time: Date

    public init(readings: [Reading], quality: Quality, time: Date) {
        self.readings = readings
        self.quality = quality
        self.time = time
    }
}
