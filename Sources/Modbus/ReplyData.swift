/// The data of a read reply as it came (`ModbusClient.readRaw`): bits packed eight to a byte,
/// lowest address in the lowest bit; registers as big-endian byte pairs.
public enum ReplyData {
    /// Bit `i` of a coil or discrete-input reply.
    @inline(__always)
    public static func bit(_ data: [UInt8], _ i: Int) -> Bool { data[i >> 3] & (1 << UInt8(i & 7)) != 0 }

    /// Register `i` of a holding- or input-register reply.
    @inline(__always)
    public static func word(_ data: [UInt8], _ i: Int) -> UInt16 { UInt16(data[2 * i]) << 8 | UInt16(data[2 * i + 1]) }
}
