#if canImport(Glibc)
internal import Glibc
#endif

/// Opens a Modbus TCP link with a poll() deadline.
///
/// libmodbus' own connect waits with select(), and glibc aborts the process when the socket's
/// descriptor is above FD_SETSIZE (1024): a daemon run with a high `ulimit -n` and many control
/// connections, or a test process running many suites at once, reaches that. poll() has no such
/// limit. Like libmodbus, the socket is non-blocking, close-on-exec and sends without Nagle's delay.
enum TCPConnect {
    /// Why a link could not be opened: the errno (ETIMEDOUT after the timeout), and for a host
    /// that does not resolve, the resolver's words (libmodbus said only "Connection refused").
    struct Failure: Error {
        let errno: Int32
        var message: String?
    }

    /// The connected socket, or why not.
    static func open(host: String, port: Int, timeout: Duration) -> Result<Int32, Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            let why = resolved == 0 ? "no address" : String(cString: gai_strerror(resolved))
            return .failure(Failure(errno: ECONNREFUSED, message: "host '\(host)' does not resolve (\(why)); check the bus's tcp host"))
        }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { lastError = errno; continue }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if let failure = connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen, timeout: timeout) {
                lastError = failure
                Glibc.close(fd)
                continue
            }
            return .success(fd)
        }
        return .failure(Failure(errno: lastError))
    }

    /// nil once connected, else the errno.
    private static func connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t,
                                timeout: Duration) -> Int32? {
        if Glibc.connect(fd, address, length) == 0 { return nil }
        guard errno == EINPROGRESS || errno == EINTR else { return errno }
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return ETIMEDOUT }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let n = poll(&p, 1, ms)
            if n < 0 { if errno == EINTR { continue } else { return errno } }
            if n == 0 { continue }
            var failure: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size) == 0 else { return errno }
            return failure == 0 ? nil : failure
        }
    }
}
