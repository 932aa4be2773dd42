/// One Modbus TCP frame: the MBAP header's transaction and unit ids, and the PDU.
struct MBAPFrame: Sendable, Equatable {
    let transaction: UInt16
    let unit: UInt8
    let pdu: [UInt8]

    /// The bytes on the wire: transaction id, protocol id 0, length, unit id, PDU.
    static func encode(transaction: UInt16, unit: UInt8, pdu: [UInt8]) -> [UInt8] {
        let length = pdu.count + 1
        var adu: [UInt8] = []
        adu.reserveCapacity(7 + pdu.count)
        // Byte by byte: an array literal here would be one more allocation per request.
        adu.append(UInt8(transaction >> 8)); adu.append(UInt8(transaction & 0xFF))
        adu.append(0); adu.append(0)
        adu.append(UInt8(length >> 8)); adu.append(UInt8(length & 0xFF))
        adu.append(unit)
        adu.append(contentsOf: pdu)
        return adu
    }
}

/// Cuts a Modbus TCP byte stream into frames by their MBAP length.
///
/// Every frame is cut whole whatever its transaction id, so a late or duplicate reply is
/// recognised (and discarded by the caller), and never mistaken for the start of the next one.
/// Pure; it keeps the bytes of an incomplete frame until the rest arrives.
struct MBAPFramer: Sendable {
    private(set) var buffer: [UInt8] = []

    mutating func append<C: Collection<UInt8>>(_ bytes: C) { buffer.append(contentsOf: bytes) }
    mutating func reset() { buffer.removeAll(keepingCapacity: true) }

    /// Bytes of a frame not yet complete (zero between frames).
    var pending: Int { buffer.count }

    /// The full length of the frame at the head of the buffer, once its header has arrived.
    var headLength: Int? {
        buffer.count >= 6 ? 6 + (Int(buffer[4]) << 8 | Int(buffer[5])) : nil
    }

    /// The transaction id of the frame at the head of the buffer, once it has arrived.
    var headTransaction: UInt16? {
        buffer.count >= 2 ? UInt16(buffer[0]) << 8 | UInt16(buffer[1]) : nil
    }

    /// The next complete frame, nil while it is incomplete; a header no Modbus TCP device sends
    /// (protocol id not 0, length outside 2...254) means the stream cannot be followed.
    mutating func next() -> Result<MBAPFrame, MBAPFault>? {
        guard buffer.count >= 7 else { return nil }
        let protocolID = Int(buffer[2]) << 8 | Int(buffer[3])
        let length = Int(buffer[4]) << 8 | Int(buffer[5])
        guard protocolID == 0 else { return .failure(.protocolID(protocolID)) }
        guard (2...254).contains(length) else { return .failure(.length(length)) }
        guard buffer.count >= 6 + length else { return nil }
        let frame = MBAPFrame(transaction: headTransaction!, unit: buffer[6], pdu: Array(buffer[7..<(6 + length)]))
        // Almost always the buffer held exactly this frame: empty it without moving anything.
        if buffer.count == 6 + length { buffer.removeAll(keepingCapacity: true) } else { buffer.removeFirst(6 + length) }
        return .success(frame)
    }
}

/// An MBAP header that cannot be Modbus TCP.
enum MBAPFault: Error, Sendable, Equatable {
    case protocolID(Int)
    case length(Int)

    var detail: String {
        switch self {
        case .protocolID(let p): "MBAP protocol id \(p), expected 0"
        case .length(let l): "MBAP length \(l), outside 2...254"
        }
    }
}
