import Modbus
import Polling
import SiteConfig
import Testing

private func register(_ type: ValueType, order: WordOrder = .abcd, count: Int = 1, scale: Double = 1,
                      offset: Double = 0, labels: [Int: String]? = nil, bit: Int? = nil) -> PointDefinition
{
    PointDefinition(name: "p", table: .holdingRegister, address: 0, count: count, type: type, wordOrder: order,
                    bit: bit, scale: scale, offset: offset, labels: labels)
}

private let zoneStates: [Int: String] = [0: "normal", 1: "alarm", 2: "tamper", 3: "fault"]

struct PointCodecTests {
    // MARK: 32-bit word orders (A = most significant byte)

    @Test(
        "uint32 0x12345678 in every word order",
        arguments: [
            (WordOrder.abcd, [0x1234, 0x5678] as [UInt16]),
            (.cdab, [0x5678, 0x1234]),
            (.badc, [0x3412, 0x7856]),
            (.dcba, [0x7856, 0x3412]),
        ])
    func uint32WordOrders(order: WordOrder, words: [UInt16]) throws {
        let point = register(.uint32, order: order)
        #expect(PointCodec.decode(point, words: words[...]) == [.number(305_419_896)])
        #expect(try PointCodec.encode(.number(305_419_896), for: point) == words)
    }

    @Test(
        "int32 -123456789 (0xF8A432EB) in every word order",
        arguments: [
            (WordOrder.abcd, [0xF8A4, 0x32EB] as [UInt16]),
            (.cdab, [0x32EB, 0xF8A4]),
            (.badc, [0xA4F8, 0xEB32]),
            (.dcba, [0xEB32, 0xA4F8]),
        ])
    func int32WordOrders(order: WordOrder, words: [UInt16]) throws {
        let point = register(.int32, order: order)
        #expect(PointCodec.decode(point, words: words[...]) == [.number(-123_456_789)])
        #expect(try PointCodec.encode(.number(-123_456_789), for: point) == words)
    }

    @Test(
        "float32 123.456 (0x42F6E979) in every word order",
        arguments: [
            (WordOrder.abcd, [0x42F6, 0xE979] as [UInt16]),
            (.cdab, [0xE979, 0x42F6]),
            (.badc, [0xF642, 0x79E9]),
            (.dcba, [0x79E9, 0xF642]),
        ])
    func float32WordOrders(order: WordOrder, words: [UInt16]) throws {
        let point = register(.float32, order: order)
        #expect(PointCodec.decode(point, words: words[...]) == [.number(Double(Float(123.456)))])
        #expect(try PointCodec.encode(.number(123.456), for: point) == words)
    }

    // MARK: 16-bit values, scale and offset

    @Test(
        "XY-MD02 temperature: int16 x0.1",
        arguments: [(UInt16(0xFF33), -20.5), (0x0131, 30.5), (0x0000, 0.0), (0x8000, -3276.8)])
    func xyMD02Temperature(word: UInt16, celsius: Double) throws {
        let point = register(.int16, scale: 0.1)
        let value = try #require(PointCodec.decode(point, words: [word][...]).first?.numberValue)
        #expect(abs(value - celsius) < 1e-9)
    }

    @Test("uint16 reads 0xFF33 as 65331, not negative")
    func uint16IsUnsigned() {
        #expect(PointCodec.decode(register(.uint16), words: [0xFF33][...]) == [.number(65331)])
    }

    @Test("scale applies before offset")
    func scaleAndOffset() {
        // raw -10 * 0.5 + 20 = 15 (an offset applied first would give 5).
        let point = register(.int16, scale: 0.5, offset: 20)
        #expect(PointCodec.decode(point, words: [0xFFF6][...]) == [.number(15)])
    }

    // MARK: enums and bits

    @Test(
        "a supervised zone state reads as its label; an unknown code keeps its number",
        arguments: [
            (UInt16(0), Reading.label(code: 0, name: "normal")),
            (2, .label(code: 2, name: "tamper")),
            (3, .label(code: 3, name: "fault")),
            (7, .label(code: 7, name: nil)),
        ])
    func enumLabels(word: UInt16, expected: Reading) {
        #expect(PointCodec.decode(register(.uint16, labels: zoneStates), words: [word][...]) == [expected])
    }

    @Test("an unknown enum code is shown as unknown(N)")
    func unknownCodeDescription() {
        #expect(Reading.label(code: 7, name: nil).description == "unknown(7)")
    }

    @Test("bit N of a register", arguments: Array(0..<16))
    func bitOfRegister(bit: Int) {
        let word: UInt16 = 0b1000_0000_0010_0110  // bits 1, 2, 5 and 15 set
        let point = register(.uint16, bit: bit)
        #expect(PointCodec.decode(point, words: [word][...]) == [.bool([1, 2, 5, 15].contains(bit))])
    }

    // MARK: arrays and slices of a larger response

    @Test("an int16 array decodes each element from its own register")
    func int16Array() {
        let response: [UInt16] = [0xAAAA, 0x0001, 0xFFFF, 0x0002, 0xBBBB]
        let point = register(.int16, count: 3)
        #expect(PointCodec.decode(point, words: response[1..<4]) == [.number(1), .number(-1), .number(2)])
    }

    @Test("a float32 array takes two registers per element, in the point's word order")
    func float32Array() {
        // 1.0 = 0x3F800000, -2.0 = 0xC0000000, word-swapped (CDAB).
        let response: [UInt16] = [0x9999, 0x0000, 0x3F80, 0x0000, 0xC000]
        let point = register(.float32, order: .cdab, count: 2)
        #expect(PointCodec.decode(point, words: response[1...]) == [.number(1), .number(-2)])
    }

    @Test("a bit-table array takes its count of bits")
    func bitArray() {
        let bits = [true, false, true, true, false]
        let point = PointDefinition(name: "di", table: .discreteInput, address: 0, count: 3)
        #expect(PointCodec.decode(point, bits: bits[1...]) == [.bool(false), .bool(true), .bool(true)])
    }

    // MARK: encode

    @Test(
        "encode then decode gives the value back",
        arguments: [
            (ValueType.uint16, 0.0), (.uint16, 65535), (.int16, -32768), (.int16, 32767),
            (.uint32, 4_294_967_295), (.int32, -2_147_483_648), (.int32, 2_147_483_647),
            (.float32, -1.5), (.float32, 1.0e10), (.float32, Double(Float.greatestFiniteMagnitude)),
        ], WordOrder.allCases)
    func roundTrip(_ typeAndValue: (ValueType, Double), order: WordOrder) throws {
        let (type, value) = typeAndValue
        let point = register(type, order: order)
        let words = try PointCodec.encode(.number(value), for: point)
        #expect(words.count == type.width)
        #expect(PointCodec.decode(point, words: words[...]) == [.number(value)])
    }

    @Test("a scaled value round-trips through its raw register")
    func scaledRoundTrip() throws {
        let point = register(.int16, scale: 0.1)
        let words = try PointCodec.encode(.number(-20.5), for: point)
        #expect(words == [0xFF33])
    }

    @Test("an enum label encodes as its code")
    func labelEncodes() throws {
        let point = register(.uint16, labels: zoneStates)
        let reading = try PointCodec.reading("tamper", for: point)
        #expect(reading == .label(code: 2, name: "tamper"))
        #expect(try PointCodec.encode(reading, for: point) == [2])
    }

    @Test(
        "writing one bit of a register keeps the other bits",
        arguments: [(3, true, UInt16(0x002E)), (5, false, 0x0006), (1, true, 0x0026), (15, true, 0x8026)])
    func bitEncodeKeepsOtherBits(bit: Int, on: Bool, expected: UInt16) throws {
        let point = register(.uint16, bit: bit)
        #expect(try PointCodec.encode(.bool(on), for: point, current: 0x0026) == [expected])
    }

    @Test("a coil encodes as one 0/1 item")
    func coilEncode() throws {
        let coil = PointDefinition(name: "relay", table: .coil, address: 0)
        #expect(try PointCodec.encode(.bool(true), for: coil) == [1])
        #expect(try PointCodec.encode(.bool(false), for: coil) == [0])
    }

    @Test(
        "a value that does not fit its register type is refused",
        arguments: [
            (ValueType.uint16, 65536.0, 1.0), (.uint16, -1, 1), (.int16, 32768, 1), (.int16, -32769, 1),
            (.uint32, 4_294_967_296, 1), (.uint32, -1, 1), (.int32, 2_147_483_648, 1),
            (.int32, -2_147_483_649, 1),
            (.int16, 3276.8, 0.1),  // raw 32768 after scaling
        ])
    func outOfRange(type: ValueType, value: Double, scale: Double) {
        let point = register(type, scale: scale)
        let error = #expect(throws: PointCodec.EncodeError.self) {
            try PointCodec.encode(.number(value), for: point)
        }
        if case .outOfRange = error {} else { Issue.record("expected outOfRange, got \(String(describing: error))") }
    }

    @Test("the largest scaled int16 still fits")
    func largestScaledFits() throws {
        #expect(try PointCodec.encode(.number(3276.7), for: register(.int16, scale: 0.1)) == [0x7FFF])
    }

    // MARK: operator text

    @Test(
        "contact words read as bools",
        arguments: [("true", true), ("ON", true), ("closed", true), ("1", true), ("false", false), ("open", false),
                    ("0", false)])
    func boolText(text: String, expected: Bool) throws {
        let di = PointDefinition(name: "di", table: .discreteInput, address: 0)
        #expect(try PointCodec.reading(text, for: di) == .bool(expected))
    }

    @Test("text that is not a label, a number or a bool is refused")
    func badText() {
        let unknownLabel = #expect(throws: PointCodec.EncodeError.self) {
            try PointCodec.reading("burning", for: register(.uint16, labels: zoneStates))
        }
        if case .unknownLabel("burning", let known) = unknownLabel {
            #expect(known == ["alarm", "fault", "normal", "tamper"])
        } else { Issue.record("expected unknownLabel, got \(String(describing: unknownLabel))") }
        #expect(throws: PointCodec.EncodeError.self) { try PointCodec.reading("warm", for: register(.int16)) }
        #expect(throws: PointCodec.EncodeError.self) {
            try PointCodec.reading("maybe", for: PointDefinition(name: "c", table: .coil, address: 0))
        }
    }

    @Test("a numeric code is accepted for an enum point")
    func numericCodeForEnum() throws {
        #expect(try PointCodec.reading("1", for: register(.uint16, labels: zoneStates)) == .label(code: 1, name: "alarm"))
        #expect(try PointCodec.reading("9", for: register(.uint16, labels: zoneStates)) == .label(code: 9, name: nil))
    }
}
