public import Foundation
public import Journal
public import Logging
public import SiteConfig
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How one target is paced.
public struct DeliveryPolicy: Sendable {
    /// Wait this long after the first pending message, so a burst goes out as one message.
    public var groupWindow: Duration
    /// At most this many requests per minute (0: no limit); chat bots throttle beyond 20.
    public var ratePerMinute: Int
    public var timeout: TimeInterval
    public var retryBase: TimeInterval
    public var retryMax: TimeInterval

    public static func defaults(for target: NotifyTarget) -> DeliveryPolicy {
        let chat = ["wecom", "dingtalk", "feishu"].contains(target.format)
        return DeliveryPolicy(
            groupWindow: .milliseconds(Int64((target.groupWindowSeconds ?? (chat ? 1 : 0)) * 1000)),
            ratePerMinute: target.ratePerMinute ?? (target.format == "feishu" ? 100 : chat ? 20 : 0),
            timeout: TimeInterval(target.timeoutSeconds ?? 10),
            retryBase: 1, retryMax: TimeInterval(target.retryMaxSeconds ?? 300))
    }
}

/// Sends the outbox, per target and in order, surviving restarts (the outbox is in the journal).
public final class DeliveryService: Sendable {
    public struct SecretError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What the daemon does when a target dead-letters or recovers (raise or return a delivery-failure alarm).
    public typealias FailureHook = @Sendable (_ target: String, _ failing: Bool, _ reason: String) async -> Void

    let journal: Journal
    let targets: [ResolvedTarget]
    let logger: Logger
    let onFailure: FailureHook
    private let wakeups: [String: Wakeup]
    /// One session per target: on Linux a request's own timeout is not honoured, the session's is.
    private let sessions: [String: URLSession]
    private let failing = Mutex<Set<String>>([])
    private let recheck = Mutex<Set<String>>([])

    public init(config: SiteConfig, journal: Journal, logger: Logger, onFailure: @escaping FailureHook) throws {
        self.journal = journal
        self.logger = logger
        self.onFailure = onFailure
        targets = try config.notify.map { try Self.resolve($0) }
        wakeups = Dictionary(uniqueKeysWithValues: config.notify.map { ($0.id, Wakeup()) })
        // Unknown at start: the first delivery to each target returns any delivery-failure alarm
        // that a previous run left open (returning one that is not open does nothing).
        recheck.withLock { $0 = Set(config.notify.map(\.id)) }
        sessions = Dictionary(uniqueKeysWithValues: config.notify.map { target in
            let c = URLSessionConfiguration.ephemeral
            let timeout = DeliveryPolicy.defaults(for: target).timeout
            c.timeoutIntervalForRequest = timeout
            c.timeoutIntervalForResource = timeout
            c.httpMaximumConnectionsPerHost = 2
            return (target.id, URLSession(configuration: c))
        })
    }

    /// Reads a target's secret from its file or environment variable; a missing one is an error
    /// that names the file or variable (the secret itself is never logged).
    public static func resolve(_ target: NotifyTarget) throws -> ResolvedTarget {
        if let file = target.secretFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SecretError(description: "notify target '\(target.id)': cannot read secret_file \(file)")
            }
            return ResolvedTarget(target: target, secret: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let name = target.secretEnv {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw SecretError(description: "notify target '\(target.id)': environment variable \(name) (secret_env) is not set")
            }
            return ResolvedTarget(target: target, secret: value)
        }
        return ResolvedTarget(target: target, secret: nil)
    }

    /// New rows are in the outbox: deliver without waiting for the next poll.
    public func nudge() { for w in wakeups.values { w.signal() } }

    /// Runs one loop per target until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for t in targets { group.addTask { await self.loop(t) } }
        }
    }

    private func loop(_ target: ResolvedTarget) async {
        let id = target.target.id
        let format = WebhookFormats.format(named: target.target.format)
        let policy = DeliveryPolicy.defaults(for: target.target)
        let wake = wakeups[id]!
        var recent: [Date] = []  // request times in the last minute
        while !Task.isCancelled {
            let rows: [OutboxRow]
            do { rows = try await journal.pendingOutboxAsync(target: id, limit: 500) } catch {
                logger.error("outbox read failed for \(id): \(error)")
                await wake.wait(timeout: .seconds(5))
                continue
            }
            guard let head = rows.first else { await wake.wait(timeout: .seconds(5)); continue }
            let now = Date()
            if head.nextAttemptAt > now {
                await wake.wait(timeout: .milliseconds(Int64(min(5, head.nextAttemptAt.timeIntervalSince(now)) * 1000) + 1))
                continue
            }
            let windowEnd = head.createdAt.addingTimeInterval(seconds(policy.groupWindow))
            if head.attempts == 0 && windowEnd > now {
                try? await Task.sleep(for: .milliseconds(Int64(windowEnd.timeIntervalSince(now) * 1000) + 1))
                continue
            }
            // The window is measured at send time; a receiver measures arrivals, which lag by the
            // request's latency, so keep a second of margin to stay within its limit.
            recent.removeAll { now.timeIntervalSince($0) >= 61 }
            if policy.ratePerMinute > 0 && recent.count >= policy.ratePerMinute {
                let until = recent[0].addingTimeInterval(61)
                try? await Task.sleep(for: .milliseconds(Int64(until.timeIntervalSince(now) * 1000) + 1))
                continue
            }
            // Everything due from the head, in order; grouped formats take as many as fit.
            let due = rows.prefix { $0.nextAttemptAt <= now }
            let entries = due.compactMap { row -> OutboxEntry? in decode(row) }
            if entries.count < due.count {
                let bad = due.filter { decode($0) == nil }.map(\.id)
                if (try? await journal.markDead(bad, error: "unreadable outbox row")) == nil { await wake.wait(timeout: .seconds(5)) }
                continue
            }
            let groupable = policy.groupWindow > .zero || policy.ratePerMinute > 0
            let batch = groupable ? Array(entries) : [entries[0]]
            let outcome: DeliveryOutcome
            let ids: [Int64]
            do {
                let (request, taken) = try format.encode(batch, to: target, now: Date())
                ids = batch.prefix(max(1, taken)).map(\.id)
                recent.append(Date())
                outcome = await send(request, format: format, timeout: policy.timeout, session: sessions[id]!)
            } catch {
                if (try? await journal.markDead([head.id], error: "cannot encode: \(error)")) == nil { await wake.wait(timeout: .seconds(5)) }
                else { failing.withLock { _ = $0.insert(id) }; await onFailure(id, true, "cannot encode: \(error)") }
                continue
            }
            if !(await record(outcome, ids: ids, attempts: head.attempts, target: target, policy: policy)) {
                await wake.wait(timeout: .seconds(5))  // the journal is failing (disk full?): do not resend in a loop
            }
        }
    }

    /// Records the outcome; false when the journal could not be updated.
    private func record(_ outcome: DeliveryOutcome, ids: [Int64], attempts: Int, target: ResolvedTarget, policy: DeliveryPolicy) async -> Bool {
        let id = target.target.id
        do {
            switch outcome {
            case .delivered:
                try await journal.markDelivered(ids, at: Date())
                logger.info("notify \(id): delivered \(ids.count) message\(ids.count == 1 ? "" : "s") (outbox \(ids.first!)\(ids.count > 1 ? "-\(ids.last!)" : ""))")
                let wasFailing = failing.withLock { $0.remove(id) } != nil
                let unknown = recheck.withLock { $0.remove(id) } != nil
                if wasFailing || unknown { await onFailure(id, false, "delivered again") }
            case .retry(let reason, let after):
                // Capped exponential backoff with jitter; a receiver's Retry-After wins when longer.
                let backoff = min(policy.retryMax, policy.retryBase * pow(2, Double(attempts))) * Double.random(in: 0.5...1.0)
                // Retry-After is honoured, within reason: an hour at most.
                let wait = max(backoff, min(after ?? 0, 3600))
                try await journal.markRetry(ids, nextAttempt: Date().addingTimeInterval(wait), error: reason)
                logger.warning("notify \(id) (\(target.redactedURL)): \(reason); retry \(attempts + 1) in \(String(format: "%.1f", wait)) s, message kept in the outbox")
                // Still failing after several attempts: the leader may be getting nothing; say so as an alarm.
                if attempts + 1 >= Self.failingAfterAttempts, failing.withLock({ $0.insert(id).inserted }) {
                    await onFailure(id, true, "still failing after \(attempts + 1) attempts: \(reason)")
                }
            case .permanent(let reason):
                try await journal.markDead(ids, error: reason)
                logger.error("notify \(id) (\(target.redactedURL)): \(reason); dead-lettered outbox \(ids.map(String.init).joined(separator: ",")) (watchroomctl notifications retry ID after fixing the target)")
                failing.withLock { _ = $0.insert(id) }
                await onFailure(id, true, reason)
            }
        } catch {
            logger.error("outbox update failed for \(id): \(error)")
            return false
        }
        return true
    }

    /// Retries of one message before its target is reported failing.
    static let failingAfterAttempts = 5

    private func send(_ request: WebhookRequest, format: any WebhookFormat, timeout: TimeInterval, session: URLSession) async -> DeliveryOutcome {
        var r = URLRequest(url: request.url, timeoutInterval: timeout)
        r.httpMethod = "POST"
        for (k, v) in request.headers { r.setValue(v, forHTTPHeaderField: k) }
        r.httpBody = request.body
        do {
            let (data, response) = try await session.data(for: r)
            guard let http = response as? HTTPURLResponse else { return .retry("no HTTP response", after: nil) }
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields { headers[String(describing: k)] = String(describing: v) }
            return format.classify(status: http.statusCode, headers: headers, body: data)
        } catch {
            return .retry("request failed: \(error.localizedDescription)", after: nil)
        }
    }

    func decode(_ row: OutboxRow) -> OutboxEntry? {
        guard let n = try? NotifyJSON.decoder.decode(Notification.self, from: row.body) else { return nil }
        return OutboxEntry(id: row.id, target: row.target, notification: n, state: OutboxEntry.State(rawValue: row.state) ?? .pending,
                           attempts: row.attempts, nextAttemptAt: row.nextAttemptAt, lastError: row.lastError,
                           deliveredAt: row.deliveredAt, createdAt: row.createdAt)
    }

    private func seconds(_ d: Duration) -> TimeInterval { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}

public enum NotifyJSON {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = [.sortedKeys]
        return e
    }()
    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }()
}
