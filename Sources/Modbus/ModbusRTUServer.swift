internal import CModbus
#if canImport(Glibc)
internal import Glibc
#endif

/// A Modbus RTU slave serving many units on one serial line (or pty).
///
/// libmodbus's RTU server answers a single unit id, so this frames requests itself (by
/// function code, checked by CRC), then lets libmodbus build and send the reply for the
/// addressed unit. Owned by one thread.
public final class ModbusRTUServer {
    private let ctx: OpaquePointer
    private let fd: Int32
    public let settings: SerialSettings

    public init(settings: SerialSettings) throws(ModbusError) {
        self.settings = settings
        guard let made = modbus_new_rtu(settings.device, Int32(settings.baud),
                                        CChar(settings.parity.asciiValue ?? 78),
                                        Int32(settings.dataBits), Int32(settings.stopBits))
        else { throw ModbusError.last("new RTU server context on \(settings.device)") }
        ctx = made
        guard modbus_connect(ctx) == 0 else {
            let e = ModbusError.last("open serial device \(settings.device)")
            modbus_free(ctx)
            throw e
        }
        fd = modbus_get_socket(ctx)
    }

    deinit {
        modbus_close(ctx)
        modbus_free(ctx)
    }

    public func serve(tick: Duration = .milliseconds(100), until stop: () -> Bool,
                      answer: (ServerRequest, (ServerAnswer) -> Void) -> Void) {
        var framer = RTUFramer()
        var buffer = [UInt8](repeating: 0, count: 512)
        let tickMs = Int32(tick.components.seconds * 1000 + tick.components.attoseconds / 1_000_000_000_000_000)
        // A partial frame older than this is noise: drop it and resynchronise.
        let staleMs: Int32 = 50
        while !stop() {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let n = poll(&p, 1, framer.isEmpty ? tickMs : staleMs)
            if n == 0 {
                framer.reset()
                continue
            }
            if n < 0 { continue }
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got <= 0 {
                if got == 0 || (errno != EAGAIN && errno != EINTR) { Thread_sleepBriefly() }
                continue
            }
            for frame in framer.feed(buffer[0..<got]) {
                let request = ServerRequest(unit: frame[0], functionCode: frame[1], frame: frame)
                answer(request) { reply in
                    if case .silence = reply { return }
                    modbus_set_slave(ctx, Int32(frame[0]))
                    frame.withUnsafeBufferPointer { buf in
                        switch reply {
                        case .reply(let mapping): _ = modbus_reply(ctx, buf.baseAddress, Int32(buf.count), mapping.raw)
                        case .exception(let code): _ = modbus_reply_exception(ctx, buf.baseAddress, UInt32(code))
                        case .silence: break
                        }
                    }
                }
            }
        }
    }
}

private func Thread_sleepBriefly() { usleep(10_000) }

/// Cuts a byte stream from a serial line into RTU request frames.
public struct RTUFramer: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    public var isEmpty: Bool { pending.isEmpty }

    public mutating func reset() { pending.removeAll(keepingCapacity: true) }

    /// Adds bytes and returns every complete frame with a valid CRC. Bytes that cannot start a
    /// valid frame are skipped one at a time, so the framer resynchronises after noise.
    public mutating func feed<C: Collection<UInt8>>(_ bytes: C) -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        var frames: [[UInt8]] = []
        while pending.count >= 4 {
            guard let length = Self.requestLength(pending) else {
                if pending.count < 7 { break }  // FC15/16 need the byte count first
                pending.removeFirst()
                continue
            }
            if length < 0 || length > 256 {
                pending.removeFirst()
                continue
            }
            guard pending.count >= length else { break }
            let candidate = Array(pending[0..<length])
            if CRC16.modbus(candidate[0..<(length - 2)]) == UInt16(candidate[length - 2]) | UInt16(candidate[length - 1]) << 8 {
                frames.append(candidate)
                pending.removeFirst(length)
            } else {
                pending.removeFirst()
            }
        }
        return frames
    }

    /// The full length of a request frame starting at `bytes[0]`, or nil when not yet known.
    /// Unknown function codes return -1.
    static func requestLength(_ bytes: [UInt8]) -> Int? {
        switch bytes[1] {
        case 1, 2, 3, 4, 5, 6: return 8
        case 15, 16:
            guard bytes.count >= 7 else { return nil }
            return 9 + Int(bytes[6])
        case 7, 11, 12, 17: return 4
        default: return -1
        }
    }
}

/// The Modbus RTU CRC-16 (polynomial 0xA001, initial 0xFFFF), low byte sent first.
public enum CRC16 {
    public static func modbus<C: Collection<UInt8>>(_ bytes: C) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for b in bytes {
            crc ^= UInt16(b)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1
            }
        }
        return crc
    }
}
