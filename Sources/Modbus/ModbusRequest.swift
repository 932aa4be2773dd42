/// One request PDU (function code first) and the shape its reply must have.
///
/// Pure: building requests and checking replies needs no link, so every check is unit-tested.
struct ModbusRequest: Sendable, Equatable {
    enum Reply: Sendable, Equatable {
        case bits(count: Int)
        case registers(count: Int)
        /// Single writes (FC 5, 6) are answered with an echo of the request.
        case echo
    }

    let pdu: [UInt8]
    let reply: Reply

    var function: UInt8 { pdu[0] }

    static func read(_ table: ModbusTable, address: Int, count: Int) -> ModbusRequest {
        ModbusRequest(pdu: [table.functionCode, UInt8((address >> 8) & 0xFF), UInt8(address & 0xFF),
                            UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)],
                      reply: table.isBitTable ? .bits(count: count) : .registers(count: count))
    }

    static func writeCoil(address: Int, value: Bool) -> ModbusRequest {
        ModbusRequest(pdu: [5] + word(address) + [value ? 0xFF : 0x00, 0x00], reply: .echo)
    }

    static func writeRegister(address: Int, value: UInt16) -> ModbusRequest {
        ModbusRequest(pdu: [6] + word(address) + word(Int(value)), reply: .echo)
    }

    /// The length of a normal reply PDU (function code included).
    var replyLength: Int {
        switch reply {
        case .bits(let n): 2 + (n + 7) / 8
        case .registers(let n): 2 + 2 * n
        case .echo: pdu.count
        }
    }

    /// Checks a reply PDU from `unit` and returns its data (the bytes after the byte count; the
    /// echo for writes). An exception reply, another unit or function code, or a wrong length
    /// is a fault, never data.
    func check(_ reply: ArraySlice<UInt8>, from unit: UInt8, expectedUnit: UInt8) -> Result<[UInt8], ReplyFault> {
        guard unit == expectedUnit else { return .failure(.wrongUnit(got: unit, expected: expectedUnit)) }
        guard let fc = reply.first else { return .failure(.length(got: 0, expected: replyLength)) }
        if fc == function | 0x80 {
            guard reply.count == 2 else { return .failure(.length(got: reply.count, expected: 2)) }
            return .failure(.exception(reply[reply.startIndex + 1]))
        }
        guard fc == function else { return .failure(.wrongFunction(got: fc, expected: function)) }
        guard reply.count == replyLength else { return .failure(.length(got: reply.count, expected: replyLength)) }
        switch self.reply {
        case .echo:
            guard Array(reply) == pdu else { return .failure(.echo) }
            return .success(Array(reply))
        case .bits, .registers:
            let byteCount = Int(reply[reply.startIndex + 1])
            guard byteCount == replyLength - 2 else { return .failure(.byteCount(got: byteCount, expected: replyLength - 2)) }
            return .success(Array(reply.dropFirst(2)))
        }
    }

    private static func word(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}

/// Why a reply is not the answer to its request.
enum ReplyFault: Error, Sendable, Equatable {
    case exception(UInt8)
    case wrongUnit(got: UInt8, expected: UInt8)
    case wrongFunction(got: UInt8, expected: UInt8)
    case length(got: Int, expected: Int)
    case byteCount(got: Int, expected: Int)
    case echo
    case crc

    /// How the fault reads after "invalid data": what arrived and what was expected.
    var detail: String {
        switch self {
        case .exception(let code): "exception \(code)"
        case .wrongUnit(let got, let expected): "reply from unit \(got), expected unit \(expected)"
        case .wrongFunction(let got, let expected): "function code \(got) in the reply to function \(expected)"
        case .length(let got, let expected): "reply PDU of \(got) bytes, expected \(expected)"
        case .byteCount(let got, let expected): "byte count \(got), expected \(expected)"
        case .echo: "the write was not echoed back unchanged"
        case .crc: "bad CRC"
        }
    }
}
