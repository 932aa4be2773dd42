public import Modbus
public import SiteConfig

// The Modbus source's reading of the config's Modbus part (SiteConfig's ModbusSection.swift):
// the only place where config values become the Modbus target's types.

extension ModbusTable {
    /// The Modbus table a profile point's `table:` names.
    public init(_ table: RegisterTable) {
        switch table {
        case .coil: self = .coil
        case .discreteInput: self = .discreteInput
        case .holdingRegister: self = .holdingRegister
        case .inputRegister: self = .inputRegister
        }
    }
}

extension SerialSettings {
    /// The line settings libmodbus opens the serial device with.
    public init(_ line: SerialLine) {
        self.init(device: line.device, baud: line.baud, parity: line.parity, dataBits: line.dataBits, stopBits: line.stopBits)
    }
}

extension ModbusEndpoint {
    /// Where a Modbus client for this link connects.
    public init(_ link: ModbusLink) {
        switch link {
        case .tcp(let host, let port): self = .tcp(host: host, port: port)
        case .rtu(let line): self = .rtu(SerialSettings(line))
        }
    }
}

extension ModbusLink {
    /// The silence kept between frames: what the config asks, and never below t3.5 for the line's
    /// baud rate (the spec's end-of-frame marker); none on TCP, where the framing is in the header.
    public var frameGap: Duration {
        switch self {
        case .tcp: .zero
        case .rtu(let line): max(line.frameGap, SerialSettings(line).t35)
        }
    }
}
