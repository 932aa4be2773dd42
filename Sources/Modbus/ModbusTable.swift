/// The four Modbus data tables.
public enum ModbusTable: String, Sendable, Hashable, CaseIterable, Codable {
    case coil
    case discreteInput = "discrete_input"
    case holdingRegister = "holding_register"
    case inputRegister = "input_register"

    /// Bit tables hold booleans; register tables hold 16-bit words.
    public var isBitTable: Bool { self == .coil || self == .discreteInput }

    /// The most items one read request may ask for (2000 bits, 125 registers).
    public var maxReadCount: Int { isBitTable ? 2000 : 125 }

    public var functionCode: UInt8 {
        switch self {
        case .coil: 1
        case .discreteInput: 2
        case .holdingRegister: 3
        case .inputRegister: 4
        }
    }
}

/// Serial line settings for an RTU bus.
public struct SerialSettings: Sendable, Hashable {
    public var device: String
    public var baud: Int
    public var parity: Character  // "N", "E" or "O"
    public var dataBits: Int
    public var stopBits: Int

    public init(device: String, baud: Int = 9600, parity: Character = "N", dataBits: Int = 8, stopBits: Int = 1) {
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
    }

    /// Bits on the wire per character: start + data + parity + stop.
    public var bitsPerCharacter: Int { 1 + dataBits + (parity == "N" ? 0 : 1) + stopBits }

    /// The Modbus inter-frame silence t3.5 (fixed at 1.75 ms above 19200 baud, per the spec).
    public var t35: Duration {
        if baud > 19200 { return .microseconds(1750) }
        let micros = 3.5 * Double(bitsPerCharacter) * 1_000_000 / Double(baud)
        return .microseconds(Int64(micros.rounded(.up)))
    }
}

/// Where a Modbus client connects.
public enum ModbusEndpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case rtu(SerialSettings)

    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        case .rtu(let s): "rtu:\(s.device) \(s.baud) \(s.dataBits)\(s.parity)\(s.stopBits)"
        }
    }
}
