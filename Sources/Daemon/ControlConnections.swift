import Control
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How many control connections the daemon keeps and how long one may sit idle.
///
/// Idle and half-open connections by the hundred once used up the daemon's descriptors: operators
/// were locked out and the next alarm crashed the daemon (Foundation's date formatting cannot
/// open its time-zone data without a free descriptor). So the connections are capped well below
/// the descriptor limit, and a connection that has not sent a complete request head within the
/// idle timeout is closed.
struct ControlLimits: Sendable, Equatable {
    /// At most this many connections at once.
    var maxConnections: Int
    /// How long a connection may wait before its request head is complete (or idle between requests).
    var idleTimeout: Duration

    static let defaultMaxConnections = 256
    static let defaultIdleTimeout = Duration.seconds(10)
    /// Descriptors kept for the journal, the buses, webhooks and the runtime itself.
    static let reservedDescriptors = 128

    /// The limits for a descriptor limit and the environment: `WATCHROOM_CONTROL_IDLE_TIMEOUT_S`
    /// and `WATCHROOM_CONTROL_MAX_CONNECTIONS` override the defaults (docs/CONTROL-API.md). The
    /// cap never exceeds half the descriptors above the reserve, counted against at most
    /// FD_SETSIZE (libmodbus waits with select(), so the daemon's descriptors must stay below 1024).
    static func from(environment: [String: String], descriptorLimit: Int) -> ControlLimits {
        let usable = min(descriptorLimit, Int(FD_SETSIZE))
        let byDescriptors = max(4, (usable - reservedDescriptors) / 2)
        let wanted = environment["WATCHROOM_CONTROL_MAX_CONNECTIONS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? defaultMaxConnections
        let idle = environment["WATCHROOM_CONTROL_IDLE_TIMEOUT_S"].flatMap(Double.init).flatMap { $0.isFinite && $0 > 0 && $0 <= 3600 ? $0 : nil }
        return ControlLimits(maxConnections: min(wanted, byDescriptors),
                             idleTimeout: idle.map { .milliseconds(Int64($0 * 1000)) } ?? defaultIdleTimeout)
    }

    /// The soft RLIMIT_NOFILE of this process.
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int(FD_SETSIZE) }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY clamps to Int.max
    }
}

/// Which connections are open and which of them are in the middle of a request: the pure
/// bookkeeping behind the connection cap.
struct ConnectionTable {
    struct Entry {
        let order: Int
        var busy: Bool
    }
    /// What to do with a connection that just opened.
    enum Admission: Equatable {
        case admit
        /// Admit it, closing the oldest connection that has not started a request.
        case admitEvicting(ObjectIdentifier)
        /// Every connection is in a request (watch streams): refuse this one.
        case refuse
    }

    let limit: Int
    private(set) var entries: [ObjectIdentifier: Entry] = [:]
    private var next = 0
    /// Set from the first connection shed until the count is back to half the cap.
    private(set) var overloaded = false
    private(set) var shed = 0

    init(limit: Int) { self.limit = limit }

    /// Registers `id`; the second value is true when this starts an overload episode (log it once).
    mutating func open(_ id: ObjectIdentifier) -> (Admission, startsEpisode: Bool) {
        next += 1
        guard entries.count >= limit else {
            entries[id] = Entry(order: next, busy: false)
            return (.admit, false)
        }
        let starts = !overloaded
        overloaded = true
        shed += 1
        if let oldest = entries.filter({ !$0.value.busy }).min(by: { $0.value.order < $1.value.order })?.key {
            entries[oldest] = nil
            entries[id] = Entry(order: next, busy: false)
            return (.admitEvicting(oldest), starts)
        }
        return (.refuse, starts)
    }

    mutating func setBusy(_ id: ObjectIdentifier, _ busy: Bool) { entries[id]?.busy = busy }

    /// Forgets `id`; returns the number shed when this ends an overload episode.
    mutating func close(_ id: ObjectIdentifier) -> Int? {
        entries[id] = nil
        guard overloaded, entries.count <= limit / 2 else { return nil }
        overloaded = false
        defer { shed = 0 }
        return shed
    }
}

/// The control API's open connections (shared by every connection's handler).
final class ControlConnections: Sendable {
    let limits: ControlLimits
    private let logger: Logger
    private let state: Mutex<(table: ConnectionTable, channels: [ObjectIdentifier: any Channel])>

    init(limits: ControlLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
        state = Mutex((ConnectionTable(limit: limits.maxConnections), [:]))
    }

    /// Admits a new connection, or says to refuse it; closes an evicted idle one.
    func opened(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (admission, starts, evicted) = state.withLock { s -> (ConnectionTable.Admission, Bool, (any Channel)?) in
            let (admission, starts) = s.table.open(id)
            var evicted: (any Channel)?
            if case .admitEvicting(let old) = admission { evicted = s.channels.removeValue(forKey: old) }
            if admission != .refuse { s.channels[id] = channel }
            return (admission, starts, evicted)
        }
        if starts {
            logger.warning("too many control connections: \(limits.maxConnections) open, the most the daemon serves; closing the oldest idle ones and refusing new ones while all are busy (is a client leaking connections?)")
        }
        evicted?.close(promise: nil)
        return admission != .refuse
    }

    func setBusy(_ channel: any Channel, _ busy: Bool) {
        state.withLock { $0.table.setBusy(ObjectIdentifier(channel), busy) }
    }

    func closed(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let ended = state.withLock { s -> Int? in
            s.channels[id] = nil
            return s.table.close(id)
        }
        if let ended { logger.notice("control connections back to normal; \(ended) were closed or refused meanwhile") }
    }

    /// A handler for one connection's pipeline (after HTTP decoding).
    func handler() -> ControlConnectionHandler { ControlConnectionHandler(connections: self) }
}

/// Registers its connection with `ControlConnections`, marks it busy from a request head to the
/// end of its response, and answers a refused connection with 503 before closing it.
final class ControlConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let connections: ControlConnections
    private var registered = false
    private var refused = false
    private var closeAfterResponse = false

    init(connections: ControlConnections) { self.connections = connections }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if registered && !refused { connections.closed(context.channel) }
        registered = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        if case .head = unwrapInboundIn(data) { connections.setBusy(context.channel, true) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            // A body over the cap is left unread: close once refused, so the client is not stuck
            // sending it until the idle timeout.
            if head.status == .contentTooLarge { closeAfterResponse = true }
        case .end:
            connections.setBusy(context.channel, false)
            if closeAfterResponse {
                let written = context.eventLoop.makePromise(of: Void.self)
                let channel = context.channel
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
                written.futureResult.cascade(to: promise)
                context.write(data, promise: written)
                return
            }
        case .body: break
        }
        context.write(data, promise: promise)
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        guard !connections.opened(context.channel) else { return }
        refused = true
        let body = (try? ControlJSON.encoder.encode(ErrorBody(
            error: "the daemon serves at most \(connections.limits.maxConnections) control connections and all are busy; close a watch or try again",
            code: "busy"))) ?? Data()
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.count)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .serviceUnavailable, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
