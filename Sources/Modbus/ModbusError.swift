internal import CModbus

/// A failed libmodbus call: what was attempted, the errno it left, the Modbus exception code
/// when the device answered with one, and libmodbus's own message.
public struct ModbusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the failure means for the poller.
    public enum Kind: String, Sendable {
        /// No (complete) answer within the response/byte timeout.
        case timeout
        /// The device answered with a Modbus exception (see `exceptionCode`).
        case exception
        /// Exception 5 (acknowledge) or 6 (server device busy): the device is there; ask again shortly.
        case busy
        /// Exception 2 (illegal data address): the device answers, but not at this address. A
        /// fault of the site's configuration (profile, table, unit id), not of the line.
        case configuration
        /// The link is down: refused, reset, closed, or the serial port cannot be opened.
        case connection
        /// A garbled or mismatched frame: bad CRC, bad data, transaction-id mismatch, wrong unit.
        case protocolError
        /// The request itself is invalid (address/count past the Modbus limits).
        case invalidRequest
        case other
    }

    public let operation: String
    public let errno: Int32
    public let message: String

    public init(operation: String, errno: Int32, message: String) {
        self.operation = operation
        self.errno = errno
        self.message = message
    }

    /// The Modbus exception code (1 illegal function, 2 illegal address, ... 11) when the device sent one.
    public var exceptionCode: UInt8? {
        let code = Int(errno) - Int(ModbusError.exceptionBase)
        return (1...11).contains(code) ? UInt8(code) : nil
    }

    public var kind: Kind {
        switch exceptionCode {
        case nil: break
        case 2: return .configuration
        case 5, 6: return .busy
        default: return .exception
        }
        switch errno {
        case ETIMEDOUT, EAGAIN: return .timeout
        case ECONNREFUSED, ECONNRESET, EPIPE, ENOTCONN, EBADF, ENOENT, EACCES, EHOSTUNREACH,
            ENETUNREACH, EIO, ENODEV, ENXIO, EADDRINUSE, EADDRNOTAVAIL:
            return .connection
        case EINVAL: return .invalidRequest
        default: break
        }
        let base = ModbusError.exceptionBase
        switch Int(errno) - Int(base) {
        case 12, 13, 14, 15, 17: return .protocolError  // BADCRC, BADDATA, BADEXC, UNKEXC, BADSLAVE
        case 16: return .invalidRequest  // EMBMDATA: more items than one request may carry
        default: return .other
        }
    }

    /// What failed and why, in words: never a bare errno number.
    public var description: String {
        if let code = exceptionCode {
            let text = "\(operation): Modbus exception \(code) (\(ModbusError.exceptionName(code)))"
            return message.isEmpty ? text : "\(text): \(message)"
        }
        return "\(operation): \(message)"
    }

    /// libmodbus's MODBUS_ENOBASE: errno values above it are Modbus exceptions and protocol errors.
    public static let exceptionBase: Int32 = _watchroom_modbus_enobase()

    /// What an operator should make of an exception, beyond its name.
    static func advice(forException code: UInt8) -> String {
        switch code {
        case 2: "configuration fault: the device has no such address; check the profile's register map, the table and the unit id"
        case 5, 6: "the device is there but busy"
        case 10, 11: "the gateway cannot reach this unit; check the unit id and the line behind the gateway"
        default: ""
        }
    }

    /// The error of a failed system call, with strerror's message.
    static func system(_ operation: String, _ code: Int32) -> ModbusError {
        ModbusError(operation: operation, errno: code, message: errnoMessage(code))
    }

    /// The spec's name for an exception code.
    public static func exceptionName(_ code: UInt8) -> String {
        switch code {
        case 1: "illegal function"
        case 2: "illegal data address"
        case 3: "illegal data value"
        case 4: "server device failure"
        case 5: "acknowledge"
        case 6: "server device busy"
        case 7: "negative acknowledge"
        case 8: "memory parity error"
        case 10: "gateway path unavailable"
        case 11: "gateway target device failed to respond"
        default: "unknown exception"
        }
    }

    /// Builds the error from the errno left by the call that just failed.
    static func last(_ operation: @autoclosure () -> String) -> ModbusError {
        let code = _watchroom_errno()
        return ModbusError(operation: operation(), errno: code, message: errnoMessage(code))
    }

    /// libmodbus's message. glibc's strerror, which libmodbus calls for system errors, returns
    /// static strings for known codes, so this is safe from several bus threads at once.
    static func errnoMessage(_ code: Int32) -> String {
        String(cString: modbus_strerror(code))
    }
}
