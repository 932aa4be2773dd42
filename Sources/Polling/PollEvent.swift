public import Foundation
public import Modbus

/// What a bus worker reports after polling one device.
public struct DeviceScan: Sendable {
    public var device: String
    public var bus: String
    public var time: Date
    /// Decoded values by point name; empty when the poll failed.
    public var values: [String: PointValue]
    /// The error of a failed poll.
    public var error: ModbusError?
    /// Set when this poll changed the device's communication state.
    public var transition: CommSupervisor.Transition?
    public var consecutiveFailures: Int
    public var requests: Int

    public var succeeded: Bool { error == nil }
}

/// Everything the pollers report, in order per bus.
public enum PollEvent: Sendable {
    case scan(DeviceScan)
    /// The bus's link (TCP connection or serial port) went down or came back.
    case link(bus: String, up: Bool, error: ModbusError?)
    /// A bus finished one full cycle over its due devices.
    case cycle(bus: String, time: Date, overrun: Bool)
}
