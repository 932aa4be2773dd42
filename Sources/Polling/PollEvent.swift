public import Foundation

/// What a bus worker reports after polling one device.
public struct DeviceScan: Sendable {
    public var device: String
    public var bus: String
    public var time: Date
    /// Decoded values by point name; empty when the poll failed.
    public var values: [String: PointValue]
    /// The error of a failed poll.
    public var error: PointError?
    /// Set when this poll changed the device's communication state.
    public var transition: CommSupervisor.Transition?
    public var consecutiveFailures: Int
    public var requests: Int
    /// The device answered exactly what it answered in the previous scan this worker sent (a good
    /// one, with nothing failed in between): `values` is that scan's dictionary, shared, not
    /// decoded again, and whoever followed that scan has nothing new to evaluate.
    public var sameAsLast = false

    public var succeeded: Bool { error == nil }

    public init(device: String, bus: String, time: Date, values: [String: PointValue], error: PointError? = nil,
                transition: CommSupervisor.Transition? = nil, consecutiveFailures: Int = 0, requests: Int = 0) {
        self.device = device
        self.bus = bus
        self.time = time
        self.values = values
        self.error = error
        self.transition = transition
        self.consecutiveFailures = consecutiveFailures
        self.requests = requests
    }
}

/// Everything the pollers report, in order per bus.
public enum PollEvent: Sendable {
    case scan(DeviceScan)
    /// The bus's link (TCP connection or serial port) went down or came back.
    case link(bus: String, up: Bool, error: PointError?)
    /// A queued write was made (error nil) or failed.
    case write(OutputWrite, error: PointError?)
    /// A bus finished one full cycle over its due devices.
    case cycle(bus: String, time: Date, overrun: Bool)
}

/// A value to write to a device's output point (a coil or holding register).
public struct OutputWrite: Sendable, Hashable, CustomStringConvertible {
    public var device: String
    public var point: String
    public var index: Int
    public var value: Bool
    public init(device: String, point: String, index: Int, value: Bool) {
        self.device = device
        self.point = point
        self.index = index
        self.value = value
    }
    public var description: String { "\(device).\(point)[\(index)] = \(value)" }
}
