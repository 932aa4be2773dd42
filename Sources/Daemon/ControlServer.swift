import Alarms
import Control
import Foundation
import Hummingbird
import ServiceLifecycle
import Journal
import Modbus
import Notify
import Polling
import Logging
import NIOCore
import SiteConfig
#if canImport(Glibc)
import Glibc
#endif

/// The operators' HTTP/JSON API on a Unix socket (docs/CONTROL-API.md).
struct ControlServer: Sendable {
    let socketPath: String
    let group: String?
    let alarms: AlarmService
    let monitor: Monitor
    let duty: DutyService
    let logger: Logger
    /// Its state in `GET /v1/status`; nil without an uplink.
    var uplink: UplinkService? = nil

    struct AlreadyRunning: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "another process (a running watchroomd?) is listening on \(path): stop it, or set control.socket to another path"
        }
    }

    /// Removes a stale socket file, refusing when a live process still listens on it.
    func prepareSocket() throws { try Self.prepareSocket(at: socketPath) }

    /// Removes a stale socket file at `socketPath`, refusing when a live process still listens
    /// on it, and creates its directory. Never waits: it may run on the cooperative pool.
    static func prepareSocket(at socketPath: String) throws {
        if FileManager.default.fileExists(atPath: socketPath) {
            if someoneListens(on: socketPath) { throw AlreadyRunning(path: socketPath) }
            unlink(socketPath)
        }
        let dir = URL(fileURLWithPath: socketPath).deletingLastPathComponent().path
        // 0750: the operators' group needs to reach the socket (search), not to write beside it.
        try PrivateDirectory.create(dir, mode: 0o750)
    }

    /// Whether a process accepts connections on the Unix socket at `path`, found out without
    /// waiting: a non-blocking connect to a Unix socket succeeds (or finds the backlog full) at
    /// once when someone listens, and fails at once (ECONNREFUSED) when the file is stale. A
    /// daemon that listens but is too busy or hung to answer is still running: it keeps its socket.
    static func someoneListens(on path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0 || errno == EAGAIN || errno == EINPROGRESS
    }

    /// The API's routes over this daemon's services (ControlAPI/), as served on the socket.
    func makeRouter() -> Router<ControlContext> {
        ControlAPI(alarms: alarms, duty: duty, buses: monitor, writes: monitor, uplink: uplink).makeRouter()
    }

    /// Serves until the service group stops it: then ends the watch streams, stops accepting,
    /// lets running requests finish (the pipeline is still up, so commands are answered) and
    /// removes the socket. Hummingbird's `Application` runs right here, in the daemon's group.
    /// A server that cannot run is logged and leaves the rest of the daemon running.
    func run() async {
        do { try await serve() } catch is CancellationError {} catch {
            logger.critical("control API stopped: \(error)")
            try? await gracefulShutdown()
        }
        unlink(socketPath)
    }

    private func serve() async throws {
        try prepareSocket()
        let router = makeRouter()
        let path = socketPath, group = group, logger = logger
        let limits = ControlLimits.from(environment: ProcessInfo.processInfo.environment, descriptorLimit: ControlLimits.descriptorLimit())
        let connections = ControlConnections(limits: limits, logger: logger)
        let idle = TimeAmount.nanoseconds(Int64(limits.idleTimeout.components.seconds) * 1_000_000_000
            + limits.idleTimeout.components.attoseconds / 1_000_000_000)
        // Accepting past the descriptor limit (EMFILE) is backed off by NIO's accept handler, never a spin;
        // the cap keeps the daemon from getting there through this socket.
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [connections.handler()], idleTimeout: idle)),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: "watchroomd"),
            onServerRunning: { _ in
                // Operators reach the socket through its group; nobody else does.
                chmod(path, 0o660)
                if let group, let gr = getgrnam(group) { chown(path, uid_t.max, gr.pointee.gr_gid) }
                logger.notice("control API on \(path) (at most \(limits.maxConnections) connections, idle timeout \(limits.idleTimeout))")
            },
            logger: Logger(label: "control")
        )
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: { [bus = alarms.bus] in
            // A watch stream is a request that never ends by itself: the server would wait on it.
            bus.finish()
        }
    }
}

