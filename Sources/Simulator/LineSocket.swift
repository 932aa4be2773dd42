import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Unix-socket server for a line protocol: one request line in, one reply line out.
/// Runs its accept loop on a thread of its own.
public final class LineSocketServer: Sendable {
    public let path: String
    private let fd: Int32

    public struct SocketError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(path: String, mode: UInt32 = 0o660) throws(SocketError) {
        self.path = path
        unlink(path)
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw SocketError(description: "socket(): \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(s)
            throw SocketError(description: "socket path \(path) is too long (at most 107 bytes)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(s, 16) == 0 else {
            let e = String(cString: strerror(errno))
            close(s)
            throw SocketError(description: "cannot listen on \(path): \(e)")
        }
        chmod(path, mode_t(mode))
        fd = s
    }

    /// Serves connections until the process ends; `handle` maps a request line to a reply line.
    public func start(_ handle: @escaping @Sendable (String) -> String) {
        let listenFD = fd
        let thread = Thread {
            while true {
                let c = accept(listenFD, nil, nil)
                if c < 0 { if errno == EINTR { continue } else { return } }
                let conn = Thread {
                    let input = FileHandle(fileDescriptor: c, closeOnDealloc: true)
                    var pending = Data()
                    while true {
                        let chunk = input.availableData
                        if chunk.isEmpty { return }
                        pending.append(chunk)
                        while let nl = pending.firstIndex(of: 10) {
                            let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                            pending.removeSubrange(pending.startIndex...nl)
                            let reply = handle(line) + "\n"
                            _ = reply.utf8CString.withUnsafeBufferPointer { write(c, $0.baseAddress, $0.count - 1) }
                        }
                    }
                }
                conn.start()
            }
        }
        thread.name = "control-\(path)"
        thread.start()
    }

    /// Sends one line to a server and returns its reply line (for tests and scripts).
    public static func send(_ line: String, to path: String) throws(SocketError) -> String {
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw SocketError(description: "socket(): \(String(cString: strerror(errno)))") }
        defer { close(s) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in Array(path.utf8).prefix(107).enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw SocketError(description: "cannot connect to \(path): \(String(cString: strerror(errno)))") }
        let out = line + "\n"
        _ = out.utf8CString.withUnsafeBufferPointer { write(s, $0.baseAddress, $0.count - 1) }
        var reply = Data()
        var buf = [UInt8](repeating: 0, count: 4096)
        while !reply.contains(10) {
            let n = read(s, &buf, buf.count)
            if n <= 0 { break }
            reply.append(contentsOf: buf[0..<n])
        }
        return String(decoding: reply, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}
