import Alarms
import Foundation
import Journal
import Logging
import MQTT
public import ServiceLifecycle
public import SiteConfig
import Synchronization

/// Forwards the site's journal to a central MQTT broker (`uplink: {mqtt: ...}`, DESIGN.md
/// section 6): every committed event on `PREFIX/events` in seq order, each alarm's state retained
/// on `PREFIX/alarms/ID`, `online`/`offline` retained on `PREFIX/status` with the will for an
/// unclean loss.
///
/// It reads the event bus like any subscriber (the pipeline never waits for it) with at most
/// `window` events unconfirmed, and moves a durable cursor in the journal to the highest seq
/// confirmed together with every earlier one. Each connection starts after that cursor, so after
/// an outage, a split or a kill -9 the broker gets every event again from the first one it had
/// not confirmed: at least once, in order, the seq for the centre to drop repeats.
public final class UplinkService: Service, Sendable {
    public let settings: MQTTUplink
    private let journal: Journal
    private let bus: EventBus
    private let messages: UplinkMessages
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let logger: Logger
    let window: Int
    let retryFirst: Duration
    let retryMax: Duration
    private let shared: Mutex<UplinkSnapshot>
    /// How long a clean stop waits for the broker to confirm what is in flight.
    static let stopFlush: Duration = .seconds(2)
    /// The journal's name for this uplink's cursor.
    static let cursorName = "mqtt"
    private static let blockingWork = DispatchQueue(label: "watchroom.uplink.connect")

    /// The connection ended: why (the broker went away, refused us, a publish failed).
    struct Lost: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    init(settings: MQTTUplink, journal: Journal, bus: EventBus, logger: Logger, clock: any Clock<Duration>,
         now: @escaping @Sendable () -> Date, window: Int = 256, retryFirst: Duration = .seconds(1), retryMax: Duration = .seconds(30)) {
        self.settings = settings
        self.journal = journal
        self.bus = bus
        self.messages = UplinkMessages(prefix: settings.topicPrefix, qos: settings.qos)
        self.clock = clock
        self.now = now
        self.logger = logger
        self.window = window
        self.retryFirst = retryFirst
        self.retryMax = retryMax
        var broker = MQTTOptions(host: settings.host, port: settings.port, clientID: settings.clientID)
        broker.username = settings.username
        broker.caFile = settings.caFile
        shared = Mutex(UplinkSnapshot(connection: .connecting, lastConfirmedSeq: 0, backlog: nil, broker: broker.description,
                                      lastError: nil, since: now()))
    }

    /// The uplink now; `backlog` counted against `journalSeq` (the journal's last seq).
    public func snapshot(journalSeq: Int64) -> UplinkSnapshot {
        var s = shared.withLock { $0 }
        s.backlog = max(0, journalSeq - s.lastConfirmedSeq)
        return s
    }

    /// The uplink now, its backlog against the journal's last seq read now (nil when that read fails).
    public func snapshot() async -> UplinkSnapshot {
        guard let seq = try? await journal.reading({ try $0.lastSeq() }) else { return shared.withLock { $0 } }
        return snapshot(journalSeq: seq)
    }

    public func run() async {
        await cancelWhenGracefulShutdown { await self.forwardUntilStopped() }
        // The feed ends when the control API stops (before this part is told to): a part that
        // returned before its turn would fail the whole group.
        try? await gracefulShutdown()
    }

    private func forwardUntilStopped() async {
        var delay = retryFirst
        var lastReason: String?
        while !Task.isCancelled {
            do {
                let cursor = try await journal.reading { try $0.uplinkCursor(Self.cursorName) } ?? 0
                shared.withLock { $0.lastConfirmedSeq = cursor }
                // It returns when the daemon stops (or reloads), the cursor saved.
                try await session(after: cursor)
                return
            } catch {
                if Task.isCancelled { return }
                let reason = "\(error)"
                if shared.withLock({ $0.connection }) == .connected { delay = retryFirst }
                set(.disconnected, error: reason)
                if reason != lastReason {
                    logger.warning("uplink to \(settings.host):\(settings.port): \(reason); retrying with backoff up to \(retryMax)")
                    lastReason = reason
                }
            }
            do { try await clock.sleep(for: delay) } catch { return }
            delay = min(delay * 2, retryMax)
        }
    }

    private func set(_ connection: UplinkSnapshot.Connection, error: String? = nil) {
        let t = now()
        shared.withLock { s in
            // Since it last came up or went down, not since the last of many retries.
            if (s.connection == .connected) != (connection == .connected) { s.since = t }
            s.connection = connection
            if let error { s.lastError = error }
        }
    }

    /// One connection, from connect to loss or stop; returns when the daemon stops (the bus
    /// finished, or the task is cancelled), throws `Lost` or the cause when the connection failed.
    private func session(after cursor: Int64) async throws {
        set(.connecting)
        var options = MQTTOptions(host: settings.host, port: settings.port, clientID: settings.clientID)
        options.keepaliveSeconds = settings.keepaliveSeconds
        options.username = settings.username
        options.password = try settings.passwordFile.map(UplinkSecrets.password(file:))
        options.caFile = settings.caFile
        options.will = messages.status(online: false)
        options.maxInflight = window * 2
        let link = UplinkLink(capacity: window, confirmed: cursor)
        let client = try MQTTClient(options: options, onEvent: link.handle)
        let saved = cursor
        do {
            try await offPool { try client.connect() }
            try await withTimeout(.seconds(max(10, settings.keepaliveSeconds)), what: "the broker's CONNACK") { try await link.connected() }
            set(.connected)
            logger.notice("uplink connected to \(options.description), topics under \(settings.topicPrefix)/, resuming after event #\(cursor)")
            let open = try await journal.reading { try $0.alarms(all: false, limit: 1_000_000) }
            link.sentUntracked(mid: try client.publish(messages.status(online: true)))
            // A broker that lost its retained store (restarted without persistence) gets the open alarms again.
            for alarm in open.reversed() { link.sentUntracked(mid: try client.publish(try messages.state(of: alarm))) }
            let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await self.forward(after: cursor, link: link, client: client); return true }
                group.addTask { throw Lost(reason: await link.lost() ?? "stopped") }
                group.addTask {
                    var saved = cursor
                    while !Task.isCancelled {
                        await link.cursorMoved.wait()
                        saved = await self.save(link.confirmed, over: saved)
                        try? await self.clock.sleep(for: .milliseconds(100))
                    }
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            _ = finished
            await close(client, link: link, saved: saved, cleanly: true)
        } catch {
            // A stop (cancelled) is a clean end too; a failure leaves the offline word to the will.
            await close(client, link: link, saved: saved, cleanly: Task.isCancelled)
            if Task.isCancelled { return }
            throw error
        }
    }

    /// Saves the cursor and ends the connection; a clean end says `offline` (retained) first, then
    /// DISCONNECT, which the broker does not answer with the will.
    private func close(_ client: MQTTClient, link: UplinkLink, saved: Int64, cleanly: Bool) async {
        if cleanly, link.phase == .connected {
            // What went out just before the stop is usually confirmed a few milliseconds later:
            // wait for it (bounded), so the next start does not send it again. In a task of its
            // own: the stopping task is cancelled, and its sleeps would return at once.
            await Task { await link.confirmedAll(within: Self.stopFlush) }.value
            _ = try? client.publish(messages.status(online: false))
        }
        _ = await save(link.confirmed, over: saved)
        await offPool { client.disconnect() }
        set(.disconnected)
    }

    /// Publishes the bus's events after `cursor` in seq order, never more than the window unconfirmed.
    private func forward(after cursor: Int64, link: UplinkLink, client: MQTTClient) async throws {
        for try await event in bus.feed(after: cursor) {
            guard let seq = event.seq else { continue }
            try await link.waitForRoom()
            var mids: [Int32] = []
            for m in try messages.messages(for: event) {
                do { mids.append(try client.publish(m)) } catch { throw Lost(reason: "\(error)") }
            }
            link.sent(seq: seq, mids: mids)
        }
        if Task.isCancelled { throw CancellationError() }
    }

    /// Writes the cursor when it moved; returns the cursor now saved.
    private func save(_ confirmed: Int64, over saved: Int64) async -> Int64 {
        guard confirmed > saved else { return saved }
        do {
            // In a task of its own: a stopping uplink's task is cancelled, and GRDB refuses a write from a cancelled task.
            let journal = journal, t = now()
            try await Task { try await journal.advanceUplinkCursor(Self.cursorName, to: confirmed, at: t) }.value
            shared.withLock { $0.lastConfirmedSeq = max($0.lastConfirmedSeq, confirmed) }
            return confirmed
        } catch {
            // Not saved: the next start repeats these events, which the centre drops by seq.
            logger.warning("uplink: cannot save the cursor (event #\(confirmed)) in the journal: \(error)")
            return saved
        }
    }

    private func withTimeout<T: Sendable>(_ limit: Duration, what: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await work() }
            group.addTask { [clock] in
                try await clock.sleep(for: limit)
                throw Lost(reason: "no answer from the broker within \(limit) (waiting for \(what))")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// libmosquitto's blocking calls (DNS, connect, joining its thread), off the cooperative pool.
    private func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in Self.blockingWork.async { c.resume(with: Result { try work() }) } }
    }

    private func offPool(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { c in Self.blockingWork.async { work(); c.resume() } }
    }
}

extension UplinkService: CustomStringConvertible {
    public var description: String { "uplink" }
}
