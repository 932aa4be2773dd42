internal import CModbus

/// Why one transaction produced no data, before it is worded as a `ModbusError`.
enum TransactionFailure: Error {
    /// The deadline passed: after `received` of `expected` bytes of this reply, having discarded
    /// `discarded` replies to earlier requests; or a byte timeout ended it first.
    case timeout(received: Int, expected: Int, discarded: Int, betweenBytes: Bool)
    /// A whole reply arrived, but it is not the answer to this request.
    case fault(ReplyFault)
    /// The TCP stream cannot be followed (a header no Modbus device sends).
    case garbled(String)
    /// The link failed (errno), with a better message than strerror's when there is one.
    case link(Int32, String?)

    func error(_ operation: String, timeout: Duration, byteTimeout: Duration) -> ModbusError {
        let base = ModbusError.exceptionBase
        switch self {
        case .timeout(let received, let expected, let discarded, let betweenBytes):
            var text = betweenBytes ? "timed out: no byte for \(Self.ms(byteTimeout)) ms" : "timed out after \(Self.ms(timeout)) ms"
            text += received == 0 ? ": no reply" : ": reply incomplete (\(received) of \(expected) bytes)"
            if discarded > 0 {
                text += " (\(discarded) late or repeated \(discarded == 1 ? "reply" : "replies") to an earlier request discarded: transaction id mismatch)"
            }
            return ModbusError(operation: operation, errno: ETIMEDOUT, message: text)
        case .fault(.exception(let code)):
            return ModbusError(operation: operation, errno: base + Int32(code), message: ModbusError.advice(forException: code))
        case .fault(let fault):
            let code: Int32 = switch fault {
            case .wrongUnit: 17  // EMBBADSLAVE
            case .crc: 12  // EMBBADCRC
            default: 13  // EMBBADDATA
            }
            return ModbusError(operation: operation, errno: base + code, message: "invalid data (\(fault.detail))")
        case .garbled(let detail):
            return ModbusError(operation: operation, errno: base + 13, message: "invalid data (\(detail)); reconnecting")
        case .link(let code, let text):
            return ModbusError(operation: operation, errno: code, message: text ?? ModbusError.errnoMessage(code))
        }
    }

    static func ms(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }
}
