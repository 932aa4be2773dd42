public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 client over the daemon's Unix socket (blocking; one request per connection).
public struct ControlClient: Sendable {
    public let socketPath: String

    public init(socketPath: String) { self.socketPath = socketPath }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public struct Reply: Sendable {
        public var status: Int
        public var body: Data
    }

    /// The reply header naming the site's timezone (the daemon sends it on every reply).
    public static let siteTimezoneHeader = "Watchroom-Site-Timezone"

    /// The site timezone the daemon last named in this process (nil before any reply, or from a
    /// daemon that does not send it): the console prints times in it, not in the host's zone.
    public static var siteTimezone: String? { seenTimezone.withLock { $0 } }
    private static let seenTimezone = Mutex<String?>(nil)

    private static func note(_ headers: [String: String]) {
        if let tz = headers[siteTimezoneHeader.lowercased()], !tz.isEmpty { seenTimezone.withLock { $0 = tz } }
    }

    /// Sends one request and reads the whole reply.
    public func request(_ method: String, _ path: String, body: Data? = nil, timeout: TimeInterval = 30) throws(Failure) -> Reply {
        let fd = try connect(timeout: timeout)
        defer { close(fd) }
        try send(fd, method: method, path: path, body: body)
        var reader = HTTPReader(fd: fd)
        let (status, headers) = try reader.head()
        Self.note(headers)
        let data: Data
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var all = Data()
            while let chunk = try reader.chunk() { all.append(chunk) }
            data = all
        } else if let length = headers["content-length"].flatMap(Int.init) {
            data = try reader.exactly(length)
        } else {
            data = try reader.rest()
        }
        return Reply(status: status, body: data)
    }

    /// Sends a request whose reply streams lines (NDJSON); calls `line` for each until the
    /// daemon closes the stream or `line` returns false.
    public func stream(_ path: String, line: (Data) -> Bool) throws(Failure) {
        let fd = try connect(timeout: 0)
        defer { close(fd) }
        try send(fd, method: "GET", path: path, body: nil)
        var reader = HTTPReader(fd: fd)
        let (status, headers) = try reader.head()
        Self.note(headers)
        guard status == 200 else {
            let body = (try? reader.rest()) ?? Data()
            throw Failure(description: "HTTP \(status): \(String(decoding: body, as: UTF8.self))")
        }
        let chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
        var pending = Data()
        while true {
            let piece: Data?
            piece = chunked ? try reader.chunk() : try reader.some()
            guard let piece, !piece.isEmpty else { return }
            pending.append(piece)
            while let nl = pending.firstIndex(of: 10) {
                let one = pending[pending.startIndex..<nl]
                pending.removeSubrange(pending.startIndex...nl)
                if !one.isEmpty, !line(Data(one)) { return }
            }
        }
    }

    private func connect(timeout: TimeInterval) throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket(): \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < 108 else { close(fd); throw Failure(description: "socket path too long: \(socketPath)") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            let hint = (e == ENOENT || e == ECONNREFUSED) ? "is watchroomd running? (systemctl status watchroomd)"
                : e == EACCES ? "permission denied: are you in the control socket's group?" : String(cString: strerror(e))
            throw Failure(description: "cannot reach the daemon at \(socketPath): \(String(cString: strerror(e))); \(hint)")
        }
        if timeout > 0 {
            var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        return fd
    }

    private func send(_ fd: Int32, method: String, path: String, body: Data?) throws(Failure) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: watchroomd\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var bytes = Data(head.utf8)
        if let body { bytes.append(body) }
        // MSG_NOSIGNAL: a daemon that refuses a body early (413) closes the connection; that must be
        // an error to read the refusal from, not a SIGPIPE that kills the client.
        let failure = bytes.withUnsafeBytes { raw -> Int32? in
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 { if errno == EINTR { continue } else { return errno } }
                off += n
            }
            return nil
        }
        // The daemon stopped reading: its answer (a refusal) may be waiting; the reply says what happened.
        if let failure, failure != EPIPE && failure != ECONNRESET {
            throw Failure(description: "writing to \(socketPath): \(String(cString: strerror(failure)))")
        }
    }
}

/// Reads an HTTP/1.1 response from a socket.
struct HTTPReader {
    let fd: Int32
    var buffer = Data()
    var eof = false

    init(fd: Int32) { self.fd = fd }

    mutating func fill() throws(ControlClient.Failure) {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = read(fd, &chunk, chunk.count)
        if n < 0 {
            if errno == EINTR { return }
            throw ControlClient.Failure(description: errno == EAGAIN ? "the daemon did not answer in time" : "reading reply: \(String(cString: strerror(errno)))")
        }
        if n == 0 { eof = true; return }
        buffer.append(contentsOf: chunk[0..<n])
    }

    mutating func line() throws(ControlClient.Failure) -> String? {
        while true {
            if let r = buffer.range(of: Data("\r\n".utf8)) {
                let text = String(decoding: buffer[buffer.startIndex..<r.lowerBound], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex..<r.upperBound)
                return text
            }
            if eof { return nil }
            try fill()
        }
    }

    mutating func head() throws(ControlClient.Failure) -> (Int, [String: String]) {
        guard let status = try line(), status.hasPrefix("HTTP/1.") else { throw ControlClient.Failure(description: "not an HTTP reply from the daemon") }
        let code = Int(status.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        while let l = try line(), !l.isEmpty {
            if let colon = l.firstIndex(of: ":") {
                headers[l[..<colon].lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (code, headers)
    }

    mutating func exactly(_ n: Int) throws(ControlClient.Failure) -> Data {
        while buffer.count < n && !eof { try fill() }
        let out = buffer.prefix(n)
        buffer.removeFirst(min(n, buffer.count))
        return Data(out)
    }

    mutating func rest() throws(ControlClient.Failure) -> Data {
        while !eof { try fill() }
        defer { buffer.removeAll() }
        return buffer
    }

    mutating func some() throws(ControlClient.Failure) -> Data? {
        if buffer.isEmpty { try fill() }
        if buffer.isEmpty && eof { return nil }
        defer { buffer.removeAll() }
        return buffer
    }

    /// One chunk of a chunked body; nil at the last (zero) chunk or end of stream.
    mutating func chunk() throws(ControlClient.Failure) -> Data? {
        guard let sizeLine = try line() else { return nil }
        guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else { return nil }
        if size == 0 { return nil }
        let data = try exactly(size)
        _ = try line()
        return data
    }
}
