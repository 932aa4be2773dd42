import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A Modbus TCP gateway on a loopback port that misbehaves on purpose, per unit: it answers with
/// another unit's id, late, twice, busy, or dribbles its reply one byte at a time.
///
/// Raw sockets, no libmodbus, so the misbehaviour is exactly what is written here. Each
/// connection is served on its own thread and strictly in order, like a real gateway: a reply
/// still being dribbled holds back every later reply on that connection.
final class HostileGateway: Sendable {
    enum Behaviour: Sendable, Equatable {
        case normal
        /// The right data, but the MBAP unit id of another unit (and that unit's registers).
        case unitID(UInt8)
        /// A well-formed reply with another function code.
        case functionCode(UInt8)
        case late(Duration)
        case twice
        /// Every byte of the reply `interval` after the last.
        case dribble(Duration)
        case silent
        /// Answers its next `times` requests with the exception, then normally.
        case exception(UInt8, times: Int)
    }

    let port: Int
    private let listenFD: Int32
    private let behaviours: Mutex<[UInt8: Behaviour]>
    private let counts = Mutex<[UInt8: Int]>([:])
    private let stopping = Atomic<Bool>(false)
    private let accepting = DispatchSemaphore(value: 0)

    /// Register `a` of unit `u` reads `u * 1000 + a`, so a test sees whose data it got.
    static func register(unit: UInt8, address: Int) -> UInt16 { UInt16(Int(unit) * 1000 + address) }

    init(_ behaviours: [UInt8: Behaviour] = [:]) throws {
        self.behaviours = Mutex(behaviours)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, len) == 0, listen(fd, 8) == 0 else { return -1 }
                return getsockname(fd, p, &len)
            }
        }
        guard bound == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        listenFD = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    func set(_ unit: UInt8, _ behaviour: Behaviour) { behaviours.withLock { $0[unit] = behaviour } }
    /// Requests received for `unit` so far.
    func requests(_ unit: UInt8) -> Int { counts.withLock { $0[unit] ?? 0 } }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        accepting.wait()
        close(listenFD)
    }

    private var stopped: Bool { stopping.load(ordering: .relaxed) }

    private func acceptLoop() {
        while !stopped {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 20) > 0 else { continue }
            let c = accept(listenFD, nil, nil)
            if c >= 0 { Thread { [self] in serve(c) }.start() }
        }
        accepting.signal()
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        while !stopped {
            guard let header = readExactly(fd, 7) else { return }
            let length = Int(header[4]) << 8 | Int(header[5])
            guard length >= 2, let pdu = readExactly(fd, length - 1) else { return }
            let unit = header[6]
            counts.withLock { $0[unit, default: 0] += 1 }
            let behaviour = behaviours.withLock { b -> Behaviour in
                if case .exception(let code, let times) = b[unit] ?? .normal {
                    b[unit] = times > 1 ? .exception(code, times: times - 1) : .normal
                    return .exception(code, times: times)
                }
                return b[unit] ?? .normal
            }
            var replyUnit = unit
            var reply = Self.answer(pdu, unit: unit)
            switch behaviour {
            case .normal, .twice, .late, .dribble: break
            case .unitID(let other):
                replyUnit = other
                reply = Self.answer(pdu, unit: other)
            case .functionCode(let fc): reply[0] = fc
            case .silent: continue
            case .exception(let code, _): reply = [pdu[0] | 0x80, code]
            }
            let frame = Array(header[0..<4]) + [UInt8((reply.count + 1) >> 8), UInt8((reply.count + 1) & 0xFF), replyUnit] + reply
            switch behaviour {
            case .late(let delay):
                Thread.sleep(forTimeInterval: Self.seconds(delay))
                guard send(fd, frame) else { return }
            case .twice:
                guard send(fd, frame), send(fd, frame) else { return }
            case .dribble(let interval):
                for byte in frame {
                    if stopped { return }
                    guard send(fd, [byte]) else { return }
                    Thread.sleep(forTimeInterval: Self.seconds(interval))
                }
            default:
                guard send(fd, frame) else { return }
            }
        }
    }

    /// The reply PDU to a read (FC 1-4) or a single write (FC 5, 6, echoed).
    static func answer(_ pdu: [UInt8], unit: UInt8) -> [UInt8] {
        guard pdu.count >= 5 else { return [pdu[0] | 0x80, 1] }
        let address = Int(pdu[1]) << 8 | Int(pdu[2])
        let count = Int(pdu[3]) << 8 | Int(pdu[4])
        switch pdu[0] {
        case 1, 2:
            var bytes = [UInt8](repeating: 0, count: (count + 7) / 8)
            for i in 0..<count where (address + i + Int(unit)) % 2 == 0 { bytes[i / 8] |= 1 << (i % 8) }
            return [pdu[0], UInt8(bytes.count)] + bytes
        case 3, 4:
            var out: [UInt8] = [pdu[0], UInt8(2 * count)]
            for i in 0..<count {
                let v = register(unit: unit, address: address + i)
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        case 5, 6: return pdu
        default: return [pdu[0] | 0x80, 1]
        }
    }

    private func readExactly(_ fd: Int32, _ n: Int) -> [UInt8]? {
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: n)
        while out.count < n {
            if stopped { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 20)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let got = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, n - out.count, 0) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { return nil }
            out += buf[0..<got]
        }
        return out
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
