import Hummingbird
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The control API's request context: Hummingbird's own, and the connection's channel, whose
/// peer (SO_PEERCRED) is the caller.
struct ControlContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The accepted connection (a Unix socket on the daemon; a test channel in-process).
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// The process at the other end of a control connection, as the kernel reports it (SO_PEERCRED:
/// the credentials it had when it connected, which it cannot forge).
struct PeerCredentials: Sendable, Hashable {
    let pid: Int32
    let uid: UInt32
    let gid: UInt32

    /// The caller's credentials, or nil when the channel is no Unix socket (an in-process test).
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        // Linux's struct ucred {pid_t pid; uid_t uid; gid_t gid;}, which Glibc's module does not
        // export (it is behind _GNU_SOURCE): three 32-bit words, laid out as a homogeneous tuple is.
        let future: EventLoopFuture<(UInt32, UInt32, UInt32)> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        guard let cred = try? await future.get() else { return nil }
        return PeerCredentials(pid: Int32(bitPattern: cred.0), uid: cred.1, gid: cred.2)
    }

    /// The account name of `uid` (getpwuid_r), or "uid N" when the account has no name.
    static func accountName(uid: UInt32) -> String {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let rc = getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &found)
        guard rc == 0, found != nil, let name = entry.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
