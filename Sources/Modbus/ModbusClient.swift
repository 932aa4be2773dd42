internal import CModbus

/// A Modbus master over one libmodbus context.
///
/// Not thread-safe, like the context it owns: create it on the thread that will use it (a bus
/// worker) and never hand it to another. Deliberately not `Sendable`.
public final class ModbusClient {
    private let ctx: OpaquePointer
    public let endpoint: ModbusEndpoint
    public private(set) var isConnected = false

    public init(endpoint: ModbusEndpoint) throws(ModbusError) {
        self.endpoint = endpoint
        let made: OpaquePointer?
        switch endpoint {
        case .tcp(let host, let port):
            made = modbus_new_tcp_pi(host, String(port))
        case .rtu(let s):
            made = modbus_new_rtu(s.device, Int32(s.baud), CChar(s.parity.asciiValue ?? 78),
                                  Int32(s.dataBits), Int32(s.stopBits))
        }
        guard let made else { throw ModbusError.last("new context for \(endpoint)") }
        ctx = made
    }

    deinit {
        modbus_close(ctx)
        modbus_free(ctx)
    }

    public func connect() throws(ModbusError) {
        if isConnected { return }
        guard modbus_connect(ctx) == 0 else { throw ModbusError.last("connect \(endpoint)") }
        isConnected = true
    }

    public func close() {
        modbus_close(ctx)
        isConnected = false
    }

    /// Drops any bytes waiting on the link, such as a late reply to a request that timed out.
    public func flush() { _ = modbus_flush(ctx) }

    /// How long to wait for the first byte of a reply.
    public func setResponseTimeout(_ timeout: Duration) {
        let (s, us) = Self.split(timeout)
        _ = modbus_set_response_timeout(ctx, s, us)
    }

    /// How long to wait between bytes of one reply; zero disables it.
    public func setByteTimeout(_ timeout: Duration) {
        let (s, us) = Self.split(timeout)
        _ = modbus_set_byte_timeout(ctx, s, us)
    }

    public func setUnit(_ unit: Int) throws(ModbusError) {
        guard modbus_set_slave(ctx, Int32(unit)) == 0 else { throw ModbusError.last("set unit \(unit)") }
    }

    public func setDebug(_ on: Bool) { _ = modbus_set_debug(ctx, on ? 1 : 0) }

    /// Reads `count` bits from a coil or discrete-input table.
    public func readBits(_ table: ModbusTable, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        precondition(table.isBitTable)
        var raw = [UInt8](repeating: 0, count: count)
        let rc = raw.withUnsafeMutableBufferPointer { buf in
            table == .coil
                ? modbus_read_bits(ctx, Int32(address), Int32(count), buf.baseAddress)
                : modbus_read_input_bits(ctx, Int32(address), Int32(count), buf.baseAddress)
        }
        guard rc == Int32(count) else { throw failure("read \(table.rawValue)", address, count, rc) }
        return raw.map { $0 != 0 }
    }

    /// Reads `count` 16-bit registers from a holding or input table.
    public func readRegisters(_ table: ModbusTable, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        precondition(!table.isBitTable)
        var words = [UInt16](repeating: 0, count: count)
        let rc = words.withUnsafeMutableBufferPointer { buf in
            table == .holdingRegister
                ? modbus_read_registers(ctx, Int32(address), Int32(count), buf.baseAddress)
                : modbus_read_input_registers(ctx, Int32(address), Int32(count), buf.baseAddress)
        }
        guard rc == Int32(count) else { throw failure("read \(table.rawValue)", address, count, rc) }
        return words
    }

    public func writeCoil(address: Int, value: Bool) throws(ModbusError) {
        guard modbus_write_bit(ctx, Int32(address), value ? 1 : 0) == 1 else {
            throw ModbusError.last("write coil \(address)")
        }
    }

    public func writeRegister(address: Int, value: UInt16) throws(ModbusError) {
        guard modbus_write_register(ctx, Int32(address), value) == 1 else {
            throw ModbusError.last("write holding register \(address)")
        }
    }

    private func failure(_ what: String, _ address: Int, _ count: Int, _ rc: Int32) -> ModbusError {
        let op = "\(what) address \(address) count \(count) on \(endpoint)"
        if rc >= 0 {  // a short answer: treat as a protocol error
            return ModbusError(operation: op, errno: ModbusError.exceptionBase + 13,
                               message: "short reply: \(rc) of \(count) items")
        }
        return ModbusError.last(op)
    }

    static func split(_ d: Duration) -> (UInt32, UInt32) {
        let micros = max(0, d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000)
        return (UInt32(micros / 1_000_000), UInt32(micros % 1_000_000))
    }
}
