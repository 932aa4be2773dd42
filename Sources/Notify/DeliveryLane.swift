import Foundation
import SiteConfig

/// A message one target's loop may send: an outbox row, or one held in memory because the journal
/// could not take it (it is sent the same way, and never recorded).
struct PendingMessage: Sendable {
    var entry: OutboxEntry
    var inMemory: Bool
    var id: Int64 { entry.id }
}

/// One target's pacing, retry and lateness state, on monotonic time (durations since the service
/// started). Pure: the loop tells it what is pending and what happened, and does what it says.
struct DeliveryLane {
    enum Step {
        /// Send these now, in this order (one request).
        case send([PendingMessage])
        /// Nothing may go before this time (unless something new arrives).
        case wait(until: Duration)
    }

    let policy: DeliveryPolicy
    /// Request times within the last rate window.
    private(set) var sent: [Duration] = []
    /// When each known message may go: the end of its group window, or its next retry.
    private var due: [Int64: Duration] = [:]
    /// When each message was first attempted.
    private var firstAttempt: [Int64: Duration] = [:]

    init(policy: DeliveryPolicy) { self.policy = policy }

    /// The rate window, with a second of margin: the window is measured at send time and a receiver
    /// measures arrivals, which lag by the request's latency (a TLS handshake on a first connection).
    static let rateWindow = Duration.seconds(61)

    /// The order messages go in: held-in-memory first (they exist nowhere else), then the most urgent
    /// first, and within a priority the oldest first. Per alarm the order holds (its messages share a priority).
    static func order(_ pending: [PendingMessage]) -> [PendingMessage] {
        pending.enumerated().sorted { a, b in
            if a.element.inMemory != b.element.inMemory { return a.element.inMemory }
            let pa = a.element.entry.notification.priority.rank, pb = b.element.entry.notification.priority.rank
            if pa != pb { return pa < pb }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Learns messages seen for the first time and forgets those no longer pending.
    ///
    /// A message's stored times are wall-clock; they are turned into monotonic ones once, when first
    /// seen, and bounded, so a wall-clock step (before or during this run) cannot delay it beyond
    /// its own group window or the longest retry wait.
    mutating func learn(_ pending: [PendingMessage], now: Duration, wallNow: Date) {
        let ids = Set(pending.map(\.id))
        due = due.filter { ids.contains($0.key) }
        firstAttempt = firstAttempt.filter { ids.contains($0.key) }
        for p in pending where due[p.id] == nil {
            let e = p.entry
            if e.attempts == 0 {
                let left = e.createdAt.timeIntervalSince(wallNow) + policy.groupWindow.seconds
                due[p.id] = now + .clamped(seconds: left, to: policy.groupWindow)
            } else {
                let left = e.nextAttemptAt.timeIntervalSince(wallNow)
                due[p.id] = now + .clamped(seconds: left, to: .seconds(max(policy.retryMax, policy.retryAfterCap)))
                // Attempted in an earlier run: as late as its age says, within the lateness allowance.
                let age = wallNow.timeIntervalSince(e.createdAt)
                firstAttempt[p.id] = now - .clamped(seconds: age, to: policy.lateAfter)
            }
        }
    }

    /// What to do next with `pending` (learned), ordered by `order`.
    mutating func next(_ ordered: [PendingMessage], now: Duration) -> Step? {
        guard let head = ordered.first else { return nil }
        if let d = due[head.id], d > now { return .wait(until: d) }
        sent.removeAll { now - $0 >= Self.rateWindow }
        if policy.ratePerMinute > 0 && sent.count >= policy.ratePerMinute {
            return .wait(until: sent[0] + Self.rateWindow)
        }
        // Everything due from the head, in order, from the same place (memory or outbox);
        // grouped formats take as many as fit.
        let groupable = policy.groupWindow > .zero || policy.ratePerMinute > 0
        guard groupable else { return .send([head]) }
        let batch = ordered.prefix { p in
            p.inMemory == head.inMemory && (p.entry.attempts == 0 || (due[p.id] ?? now) <= now)
        }
        return .send(Array(batch))
    }

    /// A request with these messages went out at `now`.
    mutating func attempted(_ ids: [Int64], at now: Duration) {
        sent.append(now)
        for id in ids where firstAttempt[id] == nil { firstAttempt[id] = now }
    }

    /// These messages may go again at `at`.
    mutating func retry(_ ids: [Int64], at: Duration) {
        for id in ids { due[id] = at }
    }

    /// These messages are done (delivered or dead).
    mutating func forget(_ ids: [Int64]) {
        for id in ids {
            due[id] = nil
            firstAttempt[id] = nil
        }
    }

    /// The pending message attempted longest ago, and when it becomes (or became) late.
    func oldestAttempt(_ pending: [PendingMessage]) -> (message: PendingMessage, lateAt: Duration)? {
        pending.compactMap { p in firstAttempt[p.id].map { (p, $0 + policy.lateAfter) } }.min { $0.1 < $1.1 }
    }
}
