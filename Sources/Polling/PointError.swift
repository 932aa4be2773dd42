import Modbus

/// Why a point source could not read (or write) a device, in terms every source shares: the
/// alarm engine, the log and the control API see this, never a protocol's own error type.
public struct PointError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No (complete) answer in time.
        case timeout
        /// The device refused the request (a Modbus exception, an SNMP error status).
        case exception
        /// The device is there but asks to be asked again shortly.
        case busy
        /// The device answers, but not for what the site's configuration asks of it.
        case configuration
        /// The link is down: refused, reset, closed, or the port cannot be opened.
        case connection
        /// A garbled or mismatched reply.
        case protocolError = "protocol-error"
        /// Anything else the source reports.
        case other
    }
    public let kind: Kind
    /// The operator's sentence: what was asked, of whom, and what came back.
    public let description: String
    /// The source's own code, when it has one (a Modbus exception code).
    public let code: Int?

    public init(_ kind: Kind, _ description: String, code: Int? = nil) {
        self.kind = kind
        self.description = description
        self.code = code
    }
}

extension PointError {
    /// A libmodbus failure, as the rest of the daemon sees it.
    init(_ error: ModbusError) {
        let kind: Kind = switch error.kind {
        case .timeout: .timeout
        case .exception: .exception
        case .busy: .busy
        case .configuration: .configuration
        case .connection: .connection
        case .protocolError: .protocolError
        default: .other
        }
        self.init(kind, error.description, code: error.exceptionCode.map(Int.init))
    }
}
