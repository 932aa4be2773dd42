internal import CModbus
#if canImport(Glibc)
internal import Glibc
#endif

/// What a server should do with one received request.
public enum ServerAnswer: Sendable {
    /// Answer from this mapping.
    case reply(ModbusMapping)
    /// Answer with a Modbus exception code.
    case exception(UInt8)
    /// Say nothing: the device is silent (or absent), the master times out.
    case silence
}

/// A received request: its unit id, function code and the raw frame libmodbus needs to reply.
public struct ServerRequest: Sendable {
    public let unit: UInt8
    public let functionCode: UInt8
    let frame: [UInt8]
}

/// A Modbus TCP slave serving many units on one listening port, several masters at once.
///
/// Owned by one thread: `serve(until:answer:)` runs its loop on the caller's thread.
public final class ModbusTCPServer {
    private let ctx: OpaquePointer
    private var listenFD: Int32
    private var clients: [Int32] = []
    public let host: String
    /// The port actually bound (useful when asked for port 0).
    public let port: Int

    public init(host: String, port: Int, backlog: Int = 8) throws(ModbusError) {
        guard let made = modbus_new_tcp_pi(host, String(port)) else {
            throw ModbusError.last("new TCP server context \(host):\(port)")
        }
        ctx = made
        let fd = modbus_tcp_pi_listen(ctx, Int32(backlog))
        guard fd >= 0 else {
            let e = ModbusError.last("listen on \(host):\(port)")
            modbus_free(ctx)
            throw e
        }
        listenFD = fd
        self.host = host
        self.port = Self.boundPort(fd) ?? port
    }

    deinit {
        closeSockets()
        modbus_free(ctx)
    }

    private func closeSockets() {
        for c in clients { Glibc.close(c) }
        clients = []
        if listenFD >= 0 { Glibc.close(listenFD) }
        listenFD = -1
    }

    /// Serves requests until `stop()` returns true (then closes its sockets; call it once) (checked at least every `tick`).
    /// `answer` decides, per request, how this unit responds, and calls its reply function
    /// (possibly while holding the lock that protects the mapping).
    public func serve(tick: Duration = .milliseconds(100), until stop: () -> Bool,
                      answer: (ServerRequest, (ServerAnswer) -> Void) -> Void) {
        let tickMs = Int32(tick.components.seconds * 1000 + tick.components.attoseconds / 1_000_000_000_000_000)
        // Requests are read and cut by their MBAP length here, not by modbus_receive: libmodbus
        // waits with select(), which aborts the process on a descriptor above FD_SETSIZE (1024).
        var framers: [Int32: MBAPFramer] = [:]
        var chunk = [UInt8](repeating: 0, count: 512)
        while !stop() {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
            fds += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), tickMs)
            if n <= 0 { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let c = accept(listenFD, nil, nil)
                if c >= 0 {
                    clients.append(c)
                    framers[c] = MBAPFramer()
                }
            }
            var closed: [Int32] = []
            for p in fds.dropFirst() where p.revents != 0 {
                let got = chunk.withUnsafeMutableBytes { recv(p.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    closed.append(p.fd)
                    continue
                }
                guard got > 0 else { continue }
                framers[p.fd, default: MBAPFramer()].append(chunk[0..<got])
                while let cut = framers[p.fd]?.next() {
                    guard case .success(let frame) = cut, !frame.pdu.isEmpty else {
                        // Not Modbus TCP: the stream cannot be followed, so the connection goes.
                        closed.append(p.fd)
                        break
                    }
                    modbus_set_socket(ctx, p.fd)
                    let request = ServerRequest(unit: frame.unit, functionCode: frame.pdu[0],
                                                frame: MBAPFrame.encode(transaction: frame.transaction, unit: frame.unit, pdu: frame.pdu))
                    answer(request) { respond(request, $0) }
                }
            }
            for c in Set(closed) {
                Glibc.close(c)
                clients.removeAll { $0 == c }
                framers[c] = nil
            }
        }
        // Stop accepting at once: a stopped server must refuse connections.
        closeSockets()
    }

    private func respond(_ request: ServerRequest, _ answer: ServerAnswer) {
        request.frame.withUnsafeBufferPointer { buf in
            switch answer {
            case .reply(let mapping): _ = modbus_reply(ctx, buf.baseAddress, Int32(buf.count), mapping.raw)
            case .exception(let code): _ = modbus_reply_exception(ctx, buf.baseAddress, UInt32(code))
            case .silence: break
            }
        }
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default: return nil
        }
    }
}
