public import Alarms
import Journal
import Synchronization

/// Hands committed events, with their journal sequence numbers, to every subscriber: the watch
/// stream today; the board, metrics and uplink hang here too.
///
/// Publishing never waits for a subscriber. Each subscriber has a mailbox of `capacity` events;
/// one that falls further behind loses its mailbox and catches up from the journal by seq, so it
/// still sees every event exactly once and in order, while the pipeline runs on. A journal read
/// that keeps failing during the catch-up ends that feed with `EventFeed.HistoryUnreadable`.
final class EventBus: Sendable {
    fileprivate struct Mailbox {
        var events: [AlarmEvent] = []
        var overflowed = false
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let history: EventHistory
    private let capacity: Int
    private let retryPause: Duration
    private let readAttempts = 3
    private let mailboxes = Mutex<[Int: Mailbox]>([:])
    private let nextID = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)

    convenience init(journal: Journal, capacity: Int = 10_000) {
        self.init(history: .journal(journal), capacity: capacity)
    }

    init(history: EventHistory, capacity: Int = 10_000, retryPause: Duration = .milliseconds(200)) {
        self.history = history
        self.capacity = capacity
        self.retryPause = retryPause
    }

    /// Committed events, in seq order, after `seq` (nil: from now on).
    func feed(after seq: Int64? = nil) -> EventFeed {
        let id = nextID.add(1, ordering: .relaxed).newValue
        mailboxes.withLock { $0[id] = Mailbox(finished: finished.load(ordering: .relaxed)) }
        return EventFeed(bus: self, id: id, after: seq)
    }

    func publish(_ events: [AlarmEvent]) {
        guard !events.isEmpty else { return }
        let waiters = mailboxes.withLock { boxes -> [CheckedContinuation<Void, Never>] in
            var wake: [CheckedContinuation<Void, Never>] = []
            for id in boxes.keys {
                if boxes[id]!.overflowed || boxes[id]!.events.count + events.count > capacity {
                    // Fell behind: drop what it has not read; it reads the gap from the journal.
                    boxes[id]!.events.removeAll()
                    boxes[id]!.overflowed = true
                } else {
                    boxes[id]!.events += events
                }
                if let w = boxes[id]!.waiter { wake.append(w); boxes[id]!.waiter = nil }
            }
            return wake
        }
        for w in waiters { w.resume() }
    }

    /// Ends every feed (the daemon stops or reloads); feeds opened later end at once.
    func finish() {
        finished.store(true, ordering: .relaxed)
        let waiters = mailboxes.withLock { boxes in
            boxes.keys.compactMap { id -> CheckedContinuation<Void, Never>? in
                boxes[id]!.finished = true
                defer { boxes[id]!.waiter = nil }
                return boxes[id]!.waiter
            }
        }
        for w in waiters { w.resume() }
    }

    fileprivate func take(_ id: Int) async -> (events: [AlarmEvent], overflowed: Bool)? {
        while true {
            let got = mailboxes.withLock { boxes -> (events: [AlarmEvent], overflowed: Bool)?? in
                guard var box = boxes[id] else { return .some(nil) }
                if !box.events.isEmpty || box.overflowed {
                    defer { box.events.removeAll(keepingCapacity: true); box.overflowed = false; boxes[id] = box }
                    return (box.events, box.overflowed)
                }
                return box.finished ? .some(nil) : nil
            }
            if let got { return got }
            // A cancelled subscriber's feed ends (the uplink stopping mid-wait), as a finished bus does.
            if Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let now = mailboxes.withLock { boxes -> Bool in
                        guard var box = boxes[id], box.events.isEmpty, !box.overflowed, !box.finished, !Task.isCancelled else { return true }
                        box.waiter = c
                        boxes[id] = box
                        return false
                    }
                    if now { c.resume() }
                }
            } onCancel: {
                let w = mailboxes.withLock { boxes -> CheckedContinuation<Void, Never>? in
                    defer { boxes[id]?.waiter = nil }
                    return boxes[id]?.waiter
                }
                w?.resume()
            }
        }
    }

    fileprivate func leave(_ id: Int) { _ = mailboxes.withLock { $0.removeValue(forKey: id) } }

    /// A read of the history, tried `readAttempts` times `retryPause` apart (a busy or briefly
    /// unreadable journal); then the feed ends with the error, so its subscriber knows it lost
    /// events (and reconnects from its last seq) rather than take the end for "no more events".
    fileprivate func reading<T>(after seq: Int64?, _ read: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do { return try await read() } catch {
                guard attempt < readAttempts else { throw EventFeed.HistoryUnreadable(after: seq, attempts: attempt, reason: "\(error)") }
                attempt += 1
                try await Task.sleep(for: retryPause)
            }
        }
    }

    fileprivate func journalEvents(after seq: Int64, limit: Int) async throws -> [AlarmEvent] {
        try await reading(after: seq) { try await history.events(seq, limit) }
    }

    fileprivate func lastSeq() async throws -> Int64 { try await reading(after: nil) { try await history.lastSeq() } }
}

/// Where a feed that fell behind reads the gap: the journal (a test may stand in for it).
struct EventHistory: Sendable {
    /// Up to `limit` committed events after a seq, in order.
    var events: @Sendable (_ after: Int64, _ limit: Int) async throws -> [AlarmEvent]
    /// The seq of the last committed event.
    var lastSeq: @Sendable () async throws -> Int64

    static func journal(_ journal: Journal) -> EventHistory {
        EventHistory(events: { seq, limit in try await journal.reading { try $0.events(after: seq, limit: limit) } },
                     lastSeq: { try await journal.reading { try $0.lastSeq() } })
    }
}

/// One subscriber's view of the bus: every committed event after its starting point, in seq
/// order, without gaps or repeats, read at its own pace (backpressure ends here, not in the pipeline).
public struct EventFeed: AsyncSequence, Sendable {
    public typealias Element = AlarmEvent

    /// The journal could not be read to fill the gap of a subscriber that fell behind: the feed
    /// ends with this error, never as if there were no more events.
    public struct HistoryUnreadable: Error, CustomStringConvertible {
        /// The last event the subscriber got (nil: a live feed that had not got any yet).
        public let after: Int64?
        public let attempts: Int
        public let reason: String
        public var description: String {
            "the journal could not be read to catch up \(after.map { "after event #\($0)" } ?? "with the live events") (\(attempts) attempts): \(reason); resubscribe from the last seq received"
        }
    }
    fileprivate let bus: EventBus
    fileprivate let id: Int
    fileprivate let after: Int64?

    public func makeAsyncIterator() -> Iterator { Iterator(feed: self) }

    public final class Iterator: AsyncIteratorProtocol {
        private let feed: EventFeed
        private var last: Int64?
        private var ready: [AlarmEvent] = []
        private var catchUp = false

        fileprivate init(feed: EventFeed) {
            self.feed = feed
            last = feed.after
            catchUp = feed.after != nil
        }
        // `ready` is kept reversed, so taking the next event is a popLast.

        deinit { feed.bus.leave(feed.id) }

        /// The next committed event; nil once the bus finishes; `HistoryUnreadable` when a gap could not be read.
        public func next() async throws -> AlarmEvent? {
            guard try await fill() else { return nil }
            return ready.popLast()
        }

        /// Every event ready now, in seq order: what one delivery of the bus brought (one
        /// pipeline step's events, or several steps' when the subscriber was slower than the
        /// pipeline), or one page of the journal while catching up. Nil once the bus finishes.
        /// A subscriber that handles a batch at once (the board's one message for all of it) reads this.
        public func nextBatch() async throws -> [AlarmEvent]? {
            guard try await fill() else { return nil }
            defer { ready.removeAll(keepingCapacity: true) }
            return ready.reversed()
        }

        /// Waits until events are ready; false once the bus finishes.
        private func fill() async throws -> Bool {
            while ready.isEmpty {
                if catchUp {
                    // Read the gap from the journal, a page at a time, until it has nothing newer.
                    let from: Int64
                    if let last { from = last } else { from = try await feed.bus.lastSeq() }
                    let page = try await feed.bus.journalEvents(after: from, limit: 500)
                    if page.count < 500 { catchUp = false }
                    ready = page.reversed()
                    last = page.last?.seq ?? from
                    continue
                }
                guard let (events, overflowed) = await feed.bus.take(feed.id) else { return false }
                if overflowed { catchUp = true; continue }
                // Live events the journal read already gave are skipped by seq.
                let fresh = last.map { l in events.filter { ($0.seq ?? 0) > l } } ?? events
                ready = fresh.reversed()
                if let s = fresh.last?.seq { last = s }
            }
            return true
        }
    }
}
