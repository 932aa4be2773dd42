import Foundation
import Modbus
import Testing

@Suite("libmodbus client and server on loopback")
struct ModbusClientTests {
    @Test("reads every table and writes coils and registers")
    func readWrite() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.mapping.setBit(.discreteInput, 3, true)
        server.mapping.setRegister(.inputRegister, 1, 0x0131)
        server.mapping.setRegister(.holdingRegister, 130, 51200)
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        try client.connect()
        try client.setUnit(1)
        #expect(try client.readBits(.discreteInput, address: 0, count: 8) == [false, false, false, true, false, false, false, false])
        #expect(try client.readRegisters(.inputRegister, address: 0, count: 3) == [0, 0x0131, 0])
        #expect(try client.readRegisters(.holdingRegister, address: 130, count: 1) == [51200])
        try client.writeCoil(address: 5, value: true)
        try client.writeRegister(address: 7, value: 4242)
        #expect(try client.readBits(.coil, address: 5, count: 1) == [true])
        #expect(server.mapping.register(.holdingRegister, 7) == 4242)
    }

    @Test("an exception response carries its Modbus code and libmodbus's message")
    func exception() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.set(.exception(4))
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        try client.connect()
        let error = try #require(throws: ModbusError.self) { try client.readRegisters(.holdingRegister, address: 0, count: 2) }
        #expect(error.exceptionCode == 4)
        #expect(error.kind == .exception)
        #expect(error.description.contains("server device failure"))
        #expect(error.description.contains("address 0 count 2"))
    }

    @Test("reading past the mapping gives exception 2, illegal data address")
    func illegalAddress() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        try client.connect()
        let error = try #require(throws: ModbusError.self) { try client.readRegisters(.inputRegister, address: 190, count: 20) }
        #expect(error.exceptionCode == 2)
    }

    @Test("exception 2 is a configuration fault that names the address, not a plain comm loss")
    func illegalAddressIsConfigFault() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        try client.connect()
        let error = try #require(throws: ModbusError.self) { try client.readRegisters(.inputRegister, address: 190, count: 20) }
        #expect(error.kind == .configuration)
        #expect(error.description.contains("input_register address 190 count 20"), "\(error)")
        #expect(error.description.contains("configuration fault"), "\(error)")
    }

    @Test("busy (6) and acknowledge (5) are a retry; other exceptions are not")
    func busyKinds() {
        func kind(_ code: Int32) -> ModbusError.Kind {
            ModbusError(operation: "read", errno: ModbusError.exceptionBase + code, message: "").kind
        }
        #expect(kind(5) == .busy && kind(6) == .busy)
        #expect(kind(4) == .exception && kind(2) == .configuration)
    }

    @Test("errors read as sentences: no bare errno numbers, serial settings as 9600 8N1")
    func wording() {
        let e = ModbusError(operation: "read coil address 0 count 1 on tcp://h:502", errno: ModbusError.exceptionBase + 13,
                            message: "invalid data (transaction id mismatch)")
        #expect(e.description == "read coil address 0 count 1 on tcp://h:502: invalid data (transaction id mismatch)")
        #expect(!e.description.contains("errno"))
        let rtu = ModbusEndpoint.rtu(SerialSettings(device: "/dev/ttyUSB0", baud: 9600))
        #expect(rtu.description == "rtu:/dev/ttyUSB0 9600 8N1")
    }

    @Test("a silent device times out within the response timeout with ETIMEDOUT")
    func timeout() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.set(.silent)
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        client.setResponseTimeout(.milliseconds(100))
        try client.connect()
        let start = ContinuousClock.now
        let error = try #require(throws: ModbusError.self) { try client.readBits(.coil, address: 0, count: 1) }
        let took = ContinuousClock.now - start
        #expect(error.kind == .timeout)
        #expect(error.errno == ETIMEDOUT)
        #expect(took < .milliseconds(1000))
        #expect(error.description.hasSuffix("timed out after 100 ms: no reply"), "\(error)")
    }

    @Test("a refused connection is a connection error that names the endpoint")
    func refused() throws {
        // Take a free port, then close it, so nothing listens there.
        let port = try { () throws -> Int in
            let s = try LoopbackServer()
            let p = s.port
            s.stop()
            return p
        }()
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port))
        let error = try #require(throws: ModbusError.self) { try client.connect() }
        #expect(error.kind == .connection)
        #expect(error.description.contains("127.0.0.1:\(port)"))
    }

    @Test("asking for more than 125 registers is refused before anything is sent")
    func overLimit() throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        try client.connect()
        let error = try #require(throws: ModbusError.self) { try client.readRegisters(.holdingRegister, address: 0, count: 126) }
        #expect(error.exceptionCode == 3 || error.kind == .invalidRequest)
    }
}

@Suite("RTU framing")
struct RTUFramerTests {
    /// The XY-MD02 sample request from its manual: 01 04 00 01 00 01 60 0A.
    @Test("the CRC of the XY-MD02 sample request is 0x0A60")
    func crc() {
        #expect(CRC16.modbus([0x01, 0x04, 0x00, 0x01, 0x00, 0x01]) == 0x0A60)
    }

    @Test("frames are cut from a byte stream, noise is skipped, a bad CRC is dropped")
    func framing() {
        var f = RTUFramer()
        let good: [UInt8] = [0x01, 0x04, 0x00, 0x01, 0x00, 0x01, 0x60, 0x0A]
        var bad = good
        bad[7] ^= 0xFF
        #expect(f.feed(good[0..<3]).isEmpty)
        #expect(f.feed(good[3...]) == [good])
        #expect(f.feed([0xFF, 0x00] + good).first == good)
        f.reset()
        #expect(f.feed(bad).isEmpty)
    }

    @Test("t3.5 is 4.01 ms at 9600 8E1 and fixed at 1.75 ms above 19200")
    func t35() {
        let slow = SerialSettings(device: "/dev/null", baud: 9600, parity: "E")
        #expect(slow.t35 >= .microseconds(4010) && slow.t35 <= .microseconds(4020))
        #expect(SerialSettings(device: "/dev/null", baud: 38400).t35 == .microseconds(1750))
    }
}
