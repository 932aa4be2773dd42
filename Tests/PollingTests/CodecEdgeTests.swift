import Modbus
import Polling
import SiteConfig
import Testing

/// Codec defects found while writing these tests; each test states the correct behaviour and is
/// recorded as a known issue until Sources are fixed.
struct CodecEdgeTests {
    @Test("a number shows without a dangling decimal point", arguments: [(1.0004, "1"), (-20.0001, "-20")])
    func numberDescription(value: Double, expected: String) {
        #expect(Reading.number(value).description == expected)
    }

    @Test("a number still shows its fraction", arguments: [(30.5, "30.5"), (-20.25, "-20.25"), (41, "41")])
    func numberDescriptionFraction(value: Double, expected: String) {
        #expect(Reading.number(value).description == expected)
    }

    @Test("a value beyond float32's range is refused, not written as infinity")
    func float32OutOfRange() {
        let point = PointDefinition(name: "p", table: .holdingRegister, address: 0, type: .float32)
        #expect(throws: PointCodec.EncodeError.self) { try PointCodec.encode(.number(1e40), for: point) }
    }
}
