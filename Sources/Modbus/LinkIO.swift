internal import CModbus
#if canImport(Glibc)
internal import Glibc
#endif

/// The descriptor of a connected libmodbus context (a TCP socket or a serial port), read and
/// written against a deadline. Only ever used on the thread that owns the client.
struct LinkIO {
    let fd: Int32
    let isSocket: Bool

    enum ReadOutcome: Equatable {
        case bytes(Int)
        case timeout
        /// The peer closed the connection (or the serial line hung up).
        case closed
        case failed(Int32)
    }

    /// Waits until bytes arrive or `deadline` passes, then reads what is there.
    func read(into buffer: inout [UInt8], until deadline: ContinuousClock.Instant) -> ReadOutcome {
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            switch valueOrErrno({ poll(&p, 1, Self.milliseconds(until: deadline)) }) {
            case .failure(let e): return .failed(e.errno)
            case .success(0):
                if ContinuousClock.now < deadline { continue }  // poll rounds to whole milliseconds
                return .timeout
            case .success: break
            }
            let got = buffer.withUnsafeMutableBytes { raw in
                valueOrErrno { isSocket ? recv(fd, raw.baseAddress, raw.count, 0) : Glibc.read(fd, raw.baseAddress, raw.count) }
            }
            switch got {
            case .success(0): return .closed
            case .success(let n): return .bytes(n)
            case .failure(let e) where e.errno == EAGAIN || e.errno == EWOULDBLOCK: continue
            case .failure(let e): return .failed(e.errno)
            }
        }
    }

    /// Writes every byte, or fails with the errno (ETIMEDOUT when the deadline passes first).
    func send(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) -> SystemCallError? {
        var sent = 0
        while sent < bytes.count {
            let put = bytes.withUnsafeBytes { raw in
                let start = raw.baseAddress! + sent, left = raw.count - sent
                // MSG_NOSIGNAL: a device that hung up must be an error, not a SIGPIPE that kills the daemon.
                return valueOrErrno { isSocket ? Glibc.send(fd, start, left, Int32(MSG_NOSIGNAL)) : Glibc.write(fd, start, left) }
            }
            switch put {
            case .success(let n): sent += n
            case .failure(let e) where e.errno == EAGAIN || e.errno == EWOULDBLOCK:
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if case .success(0) = valueOrErrno({ poll(&p, 1, Self.milliseconds(until: deadline)) }),
                   ContinuousClock.now >= deadline {
                    return SystemCallError(errno: ETIMEDOUT)
                }
            case .failure(let e): return e
            }
        }
        return nil
    }

    /// Reads and drops whatever is waiting now, without waiting; returns how many bytes.
    func drain() -> Int {
        var dropped = 0
        var scratch = [UInt8](repeating: 0, count: 512)
        while case .bytes(let n) = read(into: &scratch, until: .now) { dropped += n }
        return dropped
    }

    /// The poll(2) timeout for a deadline, rounded up so a wait never ends early.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = deadline - .now
        guard left > .zero else { return 0 }
        let ms = left.components.seconds * 1000 + (left.components.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
