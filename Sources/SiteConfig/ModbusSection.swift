// The Modbus part of the config model: how a bus reaches its devices (TCP, or a serial line) and
// where a point lives on a device (a register table and an address). The rest of SiteConfig knows
// no protocol; the Modbus point source (Polling's BusWorker) maps these values onto the Modbus
// target's `ModbusEndpoint` and `ModbusTable`. A second point source adds its own case to
// `BusSource` and its own file like this one.

/// How a bus's points are read: one case per kind of point source.
public enum BusSource: Sendable, Hashable, CustomStringConvertible {
    /// A Modbus master on a TCP connection or a serial line (`tcp:` or `rtu:` in the bus entry).
    case modbus(ModbusLink)

    public var description: String {
        switch self {
        case .modbus(let link): link.description
        }
    }
}

/// Where a Modbus bus connects: `tcp: {host, port}` or `rtu: {device, baud, ...}`.
public enum ModbusLink: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(SerialLine)

    /// Written as status and check-config show a bus: `tcp://host:port` or `rtu:/dev/ttyUSB0 9600 8N1`.
    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        case .rtu(let s): "rtu:\(s.device) \(s.baud) \(s.dataBits)\(s.parity)\(s.stopBits)"
        }
    }
}

/// The serial line of an RTU bus, as the config gives it.
public struct SerialLine: Sendable, Hashable {
    public let device: String
    public let baud: Int
    /// "N", "E" or "O".
    public let parity: Character
    public let dataBits: Int
    public let stopBits: Int
    /// Silence asked for between frames (`frame_gap_ms`); the Modbus source never keeps less than
    /// the line's t3.5, whatever this says.
    public let frameGap: Duration

    public init(device: String, baud: Int = 9600, parity: Character = "N", dataBits: Int = 8, stopBits: Int = 1,
                frameGap: Duration = .zero) {
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
        self.frameGap = frameGap
    }
}

/// The four Modbus data tables a profile point can live in (`table:` of a point).
public enum RegisterTable: String, Sendable, Hashable, CaseIterable {
    case coil
    case discreteInput = "discrete_input"
    case holdingRegister = "holding_register"
    case inputRegister = "input_register"

    /// Bit tables hold booleans; register tables hold 16-bit words.
    public var isBitTable: Bool { self == .coil || self == .discreteInput }

    /// The most items one read request may ask for (2000 bits, 125 registers), which bounds a point.
    public var maxReadCount: Int { isBitTable ? 2000 : 125 }
}

extension Bus {
    /// The bus's Modbus link, when a Modbus source reads it.
    public var modbusLink: ModbusLink? {
        switch source {
        case .modbus(let link): link
        }
    }

    /// Whether the bus is a Modbus serial line (strictly one frame at a time, unit ids 1...247).
    public var isRTU: Bool { if case .rtu = modbusLink { true } else { false } }
}
