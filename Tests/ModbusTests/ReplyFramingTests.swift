@testable import Modbus
import Testing

@Suite("Modbus TCP framing and reply checks")
struct ReplyFramingTests {
    @Test("frames are cut by their MBAP length, whole, whatever their transaction id")
    func framesByLength() {
        var framer = MBAPFramer()
        let late = MBAPFrame.encode(transaction: 7, unit: 2, pdu: [4, 2, 0x07, 0xD0])
        let ours = MBAPFrame.encode(transaction: 8, unit: 1, pdu: [4, 2, 0x03, 0xE8])
        framer.append((late + ours).prefix(13))
        #expect(framer.next() == .success(MBAPFrame(transaction: 7, unit: 2, pdu: [4, 2, 0x07, 0xD0])))
        #expect(framer.next() == nil, "the second frame is incomplete")
        #expect(framer.headTransaction == 8)
        framer.append((late + ours).dropFirst(13))
        #expect(framer.next() == .success(MBAPFrame(transaction: 8, unit: 1, pdu: [4, 2, 0x03, 0xE8])))
        #expect(framer.pending == 0)
    }

    @Test("a header no Modbus TCP device sends is refused, not followed")
    func garbled() {
        var framer = MBAPFramer()
        framer.append([0, 1, 0x12, 0x34, 0, 5, 1, 4, 2, 0, 0])
        #expect(framer.next() == .failure(.protocolID(0x1234)))
        framer.reset()
        framer.append([0, 1, 0, 0, 0x10, 0, 1, 4])
        #expect(framer.next() == .failure(.length(0x1000)))
    }

    @Test("a reply is data only from the addressed unit, with the request's function code and length")
    func checks() {
        let read = ModbusRequest.read(.inputRegister, address: 0, count: 2)
        #expect(read.pdu == [4, 0, 0, 0, 2])
        let good: [UInt8] = [4, 4, 0, 1, 0, 2]
        #expect(read.check(good[...], from: 2, expectedUnit: 2) == .success([0, 1, 0, 2]))
        #expect(read.check(good[...], from: 3, expectedUnit: 2) == .failure(.wrongUnit(got: 3, expected: 2)))
        #expect(read.check([3, 4, 0, 1, 0, 2][...], from: 2, expectedUnit: 2) == .failure(.wrongFunction(got: 3, expected: 4)))
        #expect(read.check([4, 2, 0, 1][...], from: 2, expectedUnit: 2) == .failure(.length(got: 4, expected: 6)))
        #expect(read.check([0x84, 2][...], from: 2, expectedUnit: 2) == .failure(.exception(2)))
        let write = ModbusRequest.writeCoil(address: 5, value: true)
        #expect(write.check([5, 0, 5, 0xFF, 0][...], from: 1, expectedUnit: 1) == .success([5, 0, 5, 0xFF, 0]))
        #expect(write.check([5, 0, 5, 0, 0][...], from: 1, expectedUnit: 1) == .failure(.echo))
    }

    @Test("timeouts say how long and how much of the reply came")
    func timeoutWording() {
        let e = TransactionFailure.timeout(received: 7, expected: 259, discarded: 0, betweenBytes: false)
            .error("read input_register address 0 count 125 on tcp://gw:502", timeout: .milliseconds(300), byteTimeout: .zero)
        #expect(e.description == "read input_register address 0 count 125 on tcp://gw:502: timed out after 300 ms: reply incomplete (7 of 259 bytes)")
        #expect(e.kind == .timeout)
        let late = TransactionFailure.timeout(received: 0, expected: 13, discarded: 1, betweenBytes: false)
            .error("read", timeout: .milliseconds(200), byteTimeout: .zero)
        #expect(late.message.contains("transaction id mismatch"))
    }
}
