public import Foundation
public import Journal
public import Logging
public import SiteConfig
import Synchronization

/// Sends the outbox, per target and in order, surviving restarts (the outbox is in the journal).
public final class DeliveryService: Sendable {
    public struct SecretError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What the daemon does when a target dead-letters, falls behind or recovers (raise or return a
    /// delivery-failure alarm).
    public typealias FailureHook = @Sendable (_ target: String, _ failing: Bool, _ reason: String) async -> Void

    let journal: Journal
    let targets: [ResolvedTarget]
    let logger: Logger
    let onFailure: FailureHook
    /// Monotonic time for waits and durations; `now` is wall time, for the journal's stamps only.
    let time: MonotonicTime
    let now: @Sendable () -> Date
    private let wakeups: [String: Wakeup]
    /// Each target's way out and pacing, from its format in the registry.
    private let lanes: [(target: ResolvedTarget, channel: any NotifyChannel, policy: DeliveryPolicy)]
    private let failing = Mutex<Set<String>>([])
    private let recheck = Mutex<Set<String>>([])
    private let memory = Mutex(MemoryQueues())
    /// Deliveries and failures per target (metrics).
    private let meters: DeliveryMeters

    /// `clock` paces and times out deliveries (tests pass a manual one); `now` stamps the journal;
    /// `notifiers` has every target's format (a target naming another is refused, as check-config does).
    public init(config: SiteConfig, journal: Journal, logger: Logger, onFailure: @escaping FailureHook,
                clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
                notifiers: NotifierRegistry = .standard, meters: DeliveryMeters = .unrecorded) throws {
        self.journal = journal
        self.meters = meters
        self.logger = logger
        self.onFailure = onFailure
        self.time = MonotonicTime(clock)
        self.now = now
        var lanes: [(target: ResolvedTarget, channel: any NotifyChannel, policy: DeliveryPolicy)] = []
        for t in config.notify {
            // Never a fallback to another format: the config check refuses this with the same words.
            guard let notifier = notifiers.notifier(named: t.format) else {
                throw SecretError(description: notifiers.unknownFormatMessage(t.format, target: t.label))
            }
            let resolved = try Self.resolve(t)
            let policy = DeliveryPolicy.defaults(for: t, pacing: notifier.pacing)
            lanes.append((resolved, notifier.channel(for: resolved, policy: policy), policy))
        }
        self.lanes = lanes
        targets = lanes.map(\.target)
        wakeups = Dictionary(uniqueKeysWithValues: config.notify.map { ($0.id, Wakeup()) })
        // Unknown at start: the first delivery to each target returns any delivery-failure alarm
        // that a previous run left open (returning one that is not open does nothing).
        recheck.withLock { $0 = Set(config.notify.map(\.id)) }
    }

    /// Reads a target's secret from its file or environment variable; a missing one is an error
    /// that names the file or variable (the secret itself is never logged). `environment` is the
    /// process's own unless a test passes one (setenv in a parallel test run races other threads).
    public static func resolve(_ target: NotifyTarget,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ResolvedTarget {
        if let file = target.secretFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SecretError(description: "notify target '\(target.id)': cannot read secret_file \(file)")
            }
            return ResolvedTarget(target: target, secret: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let name = target.secretEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw SecretError(description: "notify target '\(target.id)': environment variable \(name) (secret_env) is not set")
            }
            return ResolvedTarget(target: target, secret: value)
        }
        return ResolvedTarget(target: target, secret: nil)
    }

    /// New rows are in the outbox: deliver without waiting for the next poll.
    public func nudge() { for w in wakeups.values { w.signal() } }

    /// Sends notifications that could not be written to the outbox (the journal is failing): from
    /// memory, before the target's outbox rows, with the same pacing and retries, and never recorded.
    /// They are lost if the daemon stops before they are delivered.
    public func deliverFromMemory(_ items: [(target: String, notification: Notification)]) {
        let at = now()
        var unknown: [String] = []
        var dropped = 0
        memory.withLock { m in
            for item in items {
                guard wakeups[item.target] != nil else {
                    unknown.append(item.target)
                    continue
                }
                dropped += m.append(item.notification, for: item.target, at: at)
            }
        }
        for t in Set(items.map(\.target)) { wakeups[t]?.signal() }
        if !unknown.isEmpty { logger.warning("notify: no target \(Set(unknown).sorted().joined(separator: ", ")) for messages held in memory") }
        if dropped > 0 { logger.error("notify: \(dropped) messages held in memory dropped (at most \(MemoryQueues.limit) per target)") }
    }

    /// Runs one loop per target until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for lane in lanes { group.addTask { await self.loop(lane.target, channel: lane.channel, policy: lane.policy) } }
        }
    }

    /// One target's loop; what differs between formats is all in `channel`.
    private func loop<Channel: NotifyChannel>(_ target: ResolvedTarget, channel: Channel, policy: DeliveryPolicy) async {
        let id = target.target.id
        let wake = wakeups[id]!
        var lane = DeliveryLane(policy: policy)
        var readFailing = false
        /// Waits for a nudge or until `deadline` (monotonic), at most 5 s (rows may come without a nudge).
        func pause(until deadline: Duration? = nil) async {
            let left = deadline.map { $0 - time.now() } ?? .seconds(5)
            await wake.wait(timeout: max(.milliseconds(1), min(left, .seconds(5))), sleep: time.sleep)
        }
        while !Task.isCancelled {
            var rows: [OutboxRow] = []
            do {
                rows = try await journal.pendingOutboxAsync(target: id, limit: 500)
                if readFailing { logger.notice("outbox of \(id) readable again") }
                readFailing = false
            } catch {
                if Task.isCancelled { return }
                // Said once per change; the messages held in memory still go out meanwhile.
                if !readFailing { logger.error("outbox read failed for \(id): \(error)") }
                readFailing = true
            }
            var entries: [OutboxEntry] = []
            var bad: [Int64] = []
            for row in rows {
                if let e = decode(row) { entries.append(e) } else { bad.append(row.id) }
            }
            if !bad.isEmpty {
                let unreadable = bad
                if (try? await shielded { try await self.journal.markDead(unreadable, error: "unreadable outbox row") }) == nil { await pause() }
                continue
            }
            let held = memory.withLock { $0.queues[id] ?? [] }
            let pending = held.map { PendingMessage(entry: $0, inMemory: true) } + entries.map { PendingMessage(entry: $0, inMemory: false) }
            let t = time.now()
            lane.learn(pending, now: t, wallNow: now())
            // Late: noticed by time, not by attempts (a bot answering Retry-After: 3600 gets few).
            let oldest = lane.oldestAttempt(pending)
            let reported = failing.withLock { $0.contains(id) }
            if let oldest, oldest.lateAt <= t, !reported {
                failing.withLock { _ = $0.insert(id) }
                let m = oldest.message
                let reason = "\(m.inMemory ? "a message held in memory" : "outbox \(m.id)") not delivered "
                    + "\(Int(policy.lateAfter.seconds)) s after its first attempt\(m.entry.lastError.map { " (last: \($0))" } ?? "")"
                logger.error("notify \(id) (\(target.redactedURL)): \(reason)")
                await onFailure(id, true, reason)
            }
            let lateAt = reported ? nil : oldest.map(\.lateAt)
            let ordered = DeliveryLane.order(pending)
            guard let step = lane.next(ordered, now: t) else {
                await pause()
                continue
            }
            switch step {
            case .wait(let until):
                await pause(until: min(until, lateAt ?? until))
            case .send(let batch):
                let message: Channel.Message
                let taken: [PendingMessage]
                do {
                    // Within one request oldest first, as receivers read; unless that leaves out the
                    // urgent head (a grouped format takes only what fits).
                    let chrono = batch.sorted { abs($0.id) < abs($1.id) }
                    var (m, n) = try channel.render(chrono.map(\.entry), now: now())
                    var sending = chrono
                    if !chrono.prefix(max(1, n)).contains(where: { $0.id == batch[0].id }) {
                        (m, n) = try channel.render(batch.map(\.entry), now: now())
                        sending = batch
                    }
                    message = m
                    taken = Array(sending.prefix(max(1, n)))
                } catch {
                    await deadLetter(batch[0], reason: "cannot encode: \(error)", target: target, lane: &lane)
                    continue
                }
                lane.attempted(taken.map(\.id), at: t)
                let outcome: DeliveryOutcome
                do { outcome = try await channel.send(message) } catch { return }  // a clean stop: nothing to record
                if !(await record(outcome, taken, target: target, policy: policy, lane: &lane)) {
                    await pause()  // the journal is failing (disk full?): do not resend in a loop
                }
            }
        }
    }

    /// Runs journal work to its end even when the loop is being cancelled: a delivery that happened
    /// is recorded as such, and a stop is not logged as a failed write.
    private func shielded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await work() }.value
    }

    private func deadLetter(_ m: PendingMessage, reason: String, target: ResolvedTarget, lane: inout DeliveryLane) async {
        let id = target.target.id
        if m.inMemory {
            memory.withLock { $0.remove([m.id], for: id) }
        } else if (try? await shielded { try await self.journal.markDead([m.id], error: reason) }) == nil {
            return
        }
        lane.forget([m.id])
        meters.failed(id, 1)
        failing.withLock { _ = $0.insert(id) }
        logger.error("notify \(id) (\(target.redactedURL)): \(reason); dead-lettered \(m.inMemory ? "a message held in memory" : "outbox \(m.id)")")
        await onFailure(id, true, reason)
    }

    /// Records the outcome; false when the journal could not be updated.
    private func record(_ outcome: DeliveryOutcome, _ batch: [PendingMessage], target: ResolvedTarget, policy: DeliveryPolicy,
                        lane: inout DeliveryLane) async -> Bool {
        let id = target.target.id
        let ids = batch.map(\.id)
        let inMemory = batch[0].inMemory
        let attempts = batch[0].entry.attempts
        let what = inMemory ? "held in memory" : "outbox \(ids.first!)\(ids.count > 1 ? "-\(ids.last!)" : "")"
        do {
            switch outcome {
            case .delivered:
                if inMemory { memory.withLock { $0.remove(ids, for: id) } } else {
                    try await shielded { [journal, now] in try await journal.markDelivered(ids, at: now()) }
                }
                lane.forget(ids)
                meters.delivered(id, ids.count)
                logger.info("notify \(id): delivered \(ids.count) message\(ids.count == 1 ? "" : "s") (\(what))")
                let wasFailing = failing.withLock { $0.remove(id) } != nil
                let unknown = recheck.withLock { $0.remove(id) } != nil
                if wasFailing || unknown { await onFailure(id, false, "delivered again") }
            case .retry(let reason, let after):
                meters.failed(id, ids.count)
                // Capped exponential backoff with jitter; a receiver's Retry-After wins when longer,
                // within reason: an hour at most, and 30 s for a high or critical message.
                let backoff = min(policy.retryMax, policy.retryBase * pow(2, Double(min(attempts, 60)))) * Double.random(in: 0.5...1.0)
                let urgent = batch.contains { $0.entry.notification.priority >= .high }
                let cap = urgent ? policy.urgentRetryAfterCap : policy.retryAfterCap
                let wait = max(backoff, min((after ?? 0).clamped(to: 0...cap), cap))
                if inMemory {
                    memory.withLock { $0.retried(ids, for: id, error: reason) }
                } else {
                    try await shielded { [journal, now] in
                        try await journal.markRetry(ids, nextAttempt: now().addingTimeInterval(wait), error: reason)
                    }
                }
                lane.retry(ids, at: time.now() + .clamped(seconds: wait, to: .seconds(86_400)))
                logger.warning("notify \(id) (\(target.redactedURL)): \(reason); retry \(attempts + 1) in \(String(format: "%.1f", wait)) s, message \(inMemory ? "held in memory" : "kept in the outbox")")
                // Still failing after several attempts: the leader may be getting nothing; say so as an alarm.
                if attempts + 1 >= Self.failingAfterAttempts, failing.withLock({ $0.insert(id).inserted }) {
                    await onFailure(id, true, "still failing after \(attempts + 1) attempts: \(reason)")
                }
            case .permanent(let reason):
                meters.failed(id, ids.count)
                if inMemory { memory.withLock { $0.remove(ids, for: id) } } else {
                    try await shielded { [journal] in try await journal.markDead(ids, error: reason) }
                }
                lane.forget(ids)
                logger.error("notify \(id) (\(target.redactedURL)): \(reason); dead-lettered \(inMemory ? "\(ids.count) message(s) held in memory" : "outbox \(ids.map(String.init).joined(separator: ",")) (watchroomctl notifications retry ID after fixing the target)")")
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

    func decode(_ row: OutboxRow) -> OutboxEntry? {
        guard let n = try? NotifyJSON.decoder.decode(Notification.self, from: row.body) else { return nil }
        return OutboxEntry(id: row.id, target: row.target, notification: n, state: OutboxEntry.State(rawValue: row.state) ?? .pending,
                           attempts: row.attempts, nextAttemptAt: row.nextAttemptAt, lastError: row.lastError,
                           deliveredAt: row.deliveredAt, createdAt: row.createdAt)
    }
}

/// Messages held in memory per target while the journal cannot take them; ids are negative, so they
/// never collide with outbox rows.
struct MemoryQueues: Sendable {
    /// Bounded: a journal failing for days must not grow the daemon without end.
    static let limit = 1000
    var queues: [String: [OutboxEntry]] = [:]
    private var lastID: Int64 = 0

    /// Queues one; returns how many old ones were dropped to make room.
    mutating func append(_ n: Notification, for target: String, at: Date) -> Int {
        lastID += 1
        queues[target, default: []].append(OutboxEntry(id: -lastID, target: target, notification: n, state: .pending, attempts: 0,
                                                       nextAttemptAt: at, lastError: nil, deliveredAt: nil, createdAt: at))
        let over = max(0, queues[target]!.count - Self.limit)
        queues[target]!.removeFirst(over)
        return over
    }

    mutating func remove(_ ids: [Int64], for target: String) {
        queues[target]?.removeAll { ids.contains($0.id) }
    }

    mutating func retried(_ ids: [Int64], for target: String, error: String) {
        guard var q = queues[target] else { return }
        for i in q.indices where ids.contains(q[i].id) {
            q[i].attempts += 1
            q[i].lastError = error
        }
        queues[target] = q
    }
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
