@testable import Daemon
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Taking the control socket at start: a stale file is removed, a live one is never taken over.
struct ControlSocketTests {
    /// A Unix socket bound at `path`: listening (and never accepting) when `listen` is true,
    /// else closed at once, leaving a stale file behind.
    final class UnixListener {
        let fd: Int32
        init(path: String, listen listening: Bool) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            if listening { Glibc.listen(fd, 8) } else { close(fd) }
        }
        deinit { close(fd) }
    }

    func socketPath(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wr-sock-\(name)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("control.sock").path
    }

    @Test("a socket another process listens on is never taken over, even when it does not answer")
    func liveSocketRefused() throws {
        let path = try socketPath("live")
        let listener = try UnixListener(path: path, listen: true)
        #expect(throws: ControlServer.AlreadyRunning.self) { try ControlServer.prepareSocket(at: path) }
        #expect(FileManager.default.fileExists(atPath: path))
        withExtendedLifetime(listener) {}
    }

    @Test("a stale socket file (nobody listens) is removed")
    func staleSocketRemoved() throws {
        let path = try socketPath("stale")
        _ = try UnixListener(path: path, listen: false)
        #expect(FileManager.default.fileExists(atPath: path))
        try ControlServer.prepareSocket(at: path)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
