internal import CModbus
#if canImport(Glibc)
internal import Glibc
#endif

/// A Modbus master over one libmodbus context.
///
/// libmodbus opens the serial link (TCP is connected here, with poll); every
/// transaction is framed and read here, against one deadline for the whole reply, because
/// libmodbus 3.1.6 neither checks the unit id of a TCP reply nor bounds a reply that arrives a
/// byte at a time. A TCP reply is matched to its request by transaction id (late and duplicate
/// replies are discarded), then checked for unit id, function code and length; an RTU reply for
/// address, function code, length and CRC.
///
/// Not thread-safe, like the context it owns: create it on the thread that will use it (a bus
/// worker) and never hand it to another. Deliberately not `Sendable`.
public final class ModbusClient {
    private let ctx: OpaquePointer
    public let endpoint: ModbusEndpoint
    public private(set) var isConnected = false

    private var unit: UInt8 = 0xFF
    private var responseTimeout: Duration = .milliseconds(500)
    private var byteTimeout: Duration = .zero
    private var debug = false
    private var nextTransaction: UInt16 = 1
    private var framer = MBAPFramer()
    /// What each read from the link lands in, made once: a transaction allocates no buffer of its own.
    private var scratch = [UInt8](repeating: 0, count: 260)
    /// Set when the TCP stream was left inside a reply still being sent (a device dribbling its
    /// bytes): the next transaction reconnects rather than wait behind the rest of it.
    private var abandoned = false

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
        if case .rtu = endpoint { unit = 1 }
        setResponseTimeout(responseTimeout)
    }

    deinit {
        modbus_close(ctx)
        modbus_free(ctx)
    }

    private var isTCP: Bool { if case .tcp = endpoint { true } else { false } }
    private var link: LinkIO { LinkIO(fd: modbus_get_socket(ctx), isSocket: isTCP) }

    public func connect() throws(ModbusError) {
        if isConnected { return }
        if case .tcp(let host, let port) = endpoint {
            // Our own connect (poll, not libmodbus' select, which aborts above descriptor 1024).
            switch TCPConnect.open(host: host, port: port, timeout: responseTimeout) {
            case .success(let fd):
                modbus_close(ctx)
                modbus_set_socket(ctx, fd)
            case .failure(let e):
                throw e.message.map { ModbusError(operation: "connect \(endpoint)", errno: e.errno, message: $0) }
                    ?? ModbusError.system("connect \(endpoint)", e.errno)
            }
        } else if case .failure(let e) = valueOrErrno({ modbus_connect(ctx) }) {
            throw ModbusError.system("connect \(endpoint)", e.errno)
        }
        isConnected = true
        abandoned = false
        framer.reset()
    }

    public func close() {
        modbus_close(ctx)
        isConnected = false
        framer.reset()
    }

    /// Drops any bytes waiting on the link, such as a late reply to a request that timed out.
    /// Transactions already discard late replies; on TCP a flush that cut a frame in two
    /// reconnects before the next request, so the stream is never followed from mid-frame.
    public func flush() {
        guard isConnected else { return }
        let dropped = link.drain()
        if isTCP, dropped > 0 || framer.pending > 0 { abandoned = true }
        framer.reset()
    }

    /// How long a whole reply may take, from sending the request to its last byte. Also bounds
    /// a TCP connect.
    public func setResponseTimeout(_ timeout: Duration) {
        responseTimeout = max(timeout, .milliseconds(1))
        let (s, us) = Self.split(responseTimeout)
        _ = modbus_set_response_timeout(ctx, s, us)
    }

    /// The longest silence allowed between two bytes of one reply; zero (the default) leaves
    /// only the response timeout, which bounds the whole reply anyway.
    public func setByteTimeout(_ timeout: Duration) { byteTimeout = max(timeout, .zero) }

    public func setUnit(_ unit: Int) throws(ModbusError) {
        let valid = isTCP ? 0...255 : 0...247
        guard valid.contains(unit) else {
            throw ModbusError(operation: "set unit \(unit)", errno: EINVAL,
                              message: "a unit id on \(isTCP ? "Modbus TCP" : "an RTU line") is \(valid.lowerBound)...\(valid.upperBound)")
        }
        self.unit = UInt8(unit)
    }

    /// Prints every frame sent and received to standard error.
    public func setDebug(_ on: Bool) { debug = on }

    /// Reads `count` bits from a coil or discrete-input table.
    public func readBits(_ table: ModbusTable, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        precondition(table.isBitTable)
        // The operation's text (it names the endpoint) is made only for an error, not per request.
        let op = { "read \(table.rawValue) address \(address) count \(count) on \(self.endpoint)" }
        try checkRange(op, address: address, count: count, max: table.maxReadCount)
        let data = try transact(.read(table, address: address, count: count), op)
        return [Bool](unsafeUninitializedCapacity: count) { out, made in
            for i in 0..<count { out.initializeElement(at: i, to: ReplyData.bit(data, i)) }
            made = count
        }
    }

    /// Reads `count` items of any table and returns the reply's data as it came: bits packed
    /// eight to a byte, lowest address in the lowest bit; registers as big-endian byte pairs. A
    /// poller that compares replies with the last ones decodes only those that changed.
    public func readRaw(_ table: ModbusTable, address: Int, count: Int) throws(ModbusError) -> [UInt8] {
        let op = { "read \(table.rawValue) address \(address) count \(count) on \(self.endpoint)" }
        try checkRange(op, address: address, count: count, max: table.maxReadCount)
        return try transact(.read(table, address: address, count: count), op)
    }

    /// Reads `count` 16-bit registers from a holding or input table.
    public func readRegisters(_ table: ModbusTable, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        precondition(!table.isBitTable)
        let op = { "read \(table.rawValue) address \(address) count \(count) on \(self.endpoint)" }
        try checkRange(op, address: address, count: count, max: table.maxReadCount)
        let data = try transact(.read(table, address: address, count: count), op)
        return [UInt16](unsafeUninitializedCapacity: count) { out, made in
            for i in 0..<count { out.initializeElement(at: i, to: ReplyData.word(data, i)) }
            made = count
        }
    }

    public func writeCoil(address: Int, value: Bool) throws(ModbusError) {
        let op = { "write coil \(address) on \(self.endpoint)" }
        try checkRange(op, address: address, count: 1, max: 1)
        _ = try transact(.writeCoil(address: address, value: value), op)
    }

    public func writeRegister(address: Int, value: UInt16) throws(ModbusError) {
        let op = { "write holding register \(address) on \(self.endpoint)" }
        try checkRange(op, address: address, count: 1, max: 1)
        _ = try transact(.writeRegister(address: address, value: value), op)
    }

    // MARK: transactions

    private func checkRange(_ op: () -> String, address: Int, count: Int, max: Int) throws(ModbusError) {
        guard (1...max).contains(count), address >= 0, address + count <= 65536 else {
            throw ModbusError(operation: op(), errno: ModbusError.exceptionBase + 16,
                              message: "invalid request: count must be 1...\(max) and the range within 0...65535")
        }
    }

    /// Sends one request and returns the checked data of its reply.
    private func transact(_ request: ModbusRequest, _ op: () -> String) throws(ModbusError) -> [UInt8] {
        guard isConnected else { throw ModbusError(operation: op(), errno: ENOTCONN, message: "not connected") }
        if abandoned {
            close()
            do throws(ModbusError) { try connect() } catch {
                throw ModbusError(operation: op(), errno: error.errno, message: "reconnecting after an unfinished reply: \(error.message)")
            }
        }
        let deadline = ContinuousClock.now + responseTimeout
        let result = isTCP ? tcpTransaction(request, deadline: deadline) : rtuTransaction(request, deadline: deadline)
        switch result {
        case .success(let data): return data
        case .failure(let failure): throw failure.error(op(), timeout: responseTimeout, byteTimeout: byteTimeout)
        }
    }

    private func tcpTransaction(_ request: ModbusRequest, deadline: ContinuousClock.Instant) -> Result<[UInt8], TransactionFailure> {
        let transaction = nextTransaction
        nextTransaction &+= 1
        if nextTransaction == 0 { nextTransaction = 1 }
        let adu = MBAPFrame.encode(transaction: transaction, unit: unit, pdu: request.pdu)
        if let failure = send(adu, deadline: deadline) { return .failure(failure) }
        var discarded = 0
        var lastByte = byteTimeout > .zero ? ContinuousClock.now : deadline
        while true {
            while let next = framer.next() {
                switch next {
                case .failure(let fault):
                    abandoned = true
                    return .failure(.garbled(fault.detail))
                case .success(let frame) where frame.transaction != transaction:
                    discarded += 1  // a late or repeated reply to an earlier request
                    trace("<- discarded", frame.pdu)
                case .success(let frame):
                    trace("<-", frame.pdu)
                    return request.check(frame.pdu[...], from: frame.unit, expectedUnit: unit).mapError { .fault($0) }
                }
            }
            let bytesDeadline = byteTimeout > .zero && framer.pending > 0 ? min(deadline, lastByte + byteTimeout) : deadline
            switch link.read(into: &scratch, until: bytesDeadline) {
            case .bytes(let n):
                framer.append(scratch[0..<n])
                if byteTimeout > .zero { lastByte = .now }
            case .timeout:
                let ours = framer.pending > 0 && (framer.headTransaction.map { $0 == transaction } ?? true)
                let expected = ours ? (framer.headLength ?? request.replyLength + 7) : request.replyLength + 7
                if framer.pending > 0 { abandoned = true }  // the rest of a frame is still coming
                return .failure(.timeout(received: ours ? framer.pending : 0, expected: expected, discarded: discarded,
                                         betweenBytes: bytesDeadline < deadline))
            case .closed:
                close()
                return .failure(.link(ECONNRESET, "the device closed the connection"))
            case .failed(let code):
                close()
                return .failure(.link(code, nil))
            }
        }
    }

    private func rtuTransaction(_ request: ModbusRequest, deadline: ContinuousClock.Instant) -> Result<[UInt8], TransactionFailure> {
        let io = link
        _ = io.drain()  // the tail of an earlier, late reply must not open this one
        let frame = [unit] + request.pdu
        let crc = CRC16.modbus(frame)
        if let failure = send(frame + [UInt8(crc & 0xFF), UInt8(crc >> 8)], deadline: deadline) { return .failure(failure) }
        var reply: [UInt8] = []
        reply.reserveCapacity(request.replyLength + 3)
        var expected = request.replyLength + 3
        var lastByte = ContinuousClock.now
        while reply.count < expected {
            let bytesDeadline = byteTimeout > .zero && !reply.isEmpty ? min(deadline, lastByte + byteTimeout) : deadline
            switch io.read(into: &scratch, until: bytesDeadline) {
            case .bytes(let n):
                reply += scratch[0..<n]
                lastByte = .now
            case .timeout:
                return .failure(.timeout(received: reply.count, expected: expected, discarded: 0, betweenBytes: bytesDeadline < deadline))
            case .closed:
                close()
                return .failure(.link(EIO, "the serial line hung up"))
            case .failed(let code):
                close()
                return .failure(.link(code, nil))
            }
            if reply.count >= 2 {
                // Another unit or function cannot be this reply, and its length is unknown: stop here.
                if reply[0] != unit || (reply[1] != request.function && reply[1] != request.function | 0x80) {
                    trace("<- unexpected", reply)
                    _ = io.drain()
                    return .failure(.fault(reply[0] != unit ? .wrongUnit(got: reply[0], expected: unit)
                                                            : .wrongFunction(got: reply[1], expected: request.function)))
                }
                if reply[1] == request.function | 0x80 { expected = 5 }
            }
        }
        trace("<-", reply)
        if reply.count > expected { _ = io.drain() }
        let body = reply[0..<(expected - 2)]
        guard CRC16.modbus(body) == UInt16(reply[expected - 2]) | UInt16(reply[expected - 1]) << 8 else {
            return .failure(.fault(.crc))
        }
        return request.check(body.dropFirst(), from: body[0], expectedUnit: unit).mapError { .fault($0) }
    }

    private func send(_ adu: [UInt8], deadline: ContinuousClock.Instant) -> TransactionFailure? {
        trace("->", adu)
        guard let e = link.send(adu, until: deadline) else { return nil }
        if e.errno == ETIMEDOUT { return .timeout(received: 0, expected: 0, discarded: 0, betweenBytes: false) }
        close()
        return .link(e.errno, nil)
    }

    private func trace(_ what: String, _ bytes: [UInt8]) {
        guard debug else { return }
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        let line = Array("modbus \(endpoint) \(what) \(hex.joined(separator: " "))\n".utf8)
        _ = line.withUnsafeBytes { raw in valueOrErrno { write(2, raw.baseAddress, raw.count) } }
    }

    static func split(_ d: Duration) -> (UInt32, UInt32) {
        let micros = max(0, d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000)
        return (UInt32(micros / 1_000_000), UInt32(micros % 1_000_000))
    }
}
