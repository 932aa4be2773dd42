import Alarms
import Foundation
@testable import Daemon
import Journal
import Synchronization
import Testing

/// The event bus after the commit: a slow subscriber never slows the pipeline and still sees
/// every committed event once, in order.
struct EventBusTests {
    private func journal(_ name: String) throws -> Journal {
        try Journal(path: Paths.tempDir(name).appendingPathComponent("journal.sqlite").path)
    }

    private func events(_ n: Int, from: Int) -> [AlarmEvent] {
        (0..<n).map { AlarmEvent(kind: .armed, time: Date(timeIntervalSince1970: Double(from + $0)), zone: "Z\(from + $0)") }
    }

    @Test("a subscriber that reads nothing while 25,000 events are published falls behind, then catches up from the journal without a gap")
    func slowSubscriberCatchesUp() async throws {
        let journal = try journal("bus-slow")
        let bus = EventBus(journal: journal, capacity: 1000)
        let feed = bus.feed(after: 0)
        // The pipeline publishes in batches as it commits; the subscriber is not reading.
        for batch in 0..<25 {
            let committed = try await journal.commit(events(1000, from: batch * 1000))
            bus.publish(committed)
        }
        var seen: [Int64] = []
        for try await e in feed {
            seen.append(e.seq!)
            if seen.count == 25_000 { break }
        }
        #expect(seen == Array(1...25_000))
    }

    @Test("a live subscriber gets each event once, in order, with its seq, and ends when the bus finishes")
    func liveSubscriber() async throws {
        let journal = try journal("bus-live")
        let bus = EventBus(journal: journal)
        let feed = bus.feed()
        let reader = Task {
            var seqs: [Int64] = []
            for try await e in feed { seqs.append(e.seq!) }
            return seqs
        }
        for batch in 0..<5 { bus.publish(try await journal.commit(events(10, from: batch * 10))) }
        bus.finish()
        let seqs = try await reader.value
        // What was published before the bus finished is still delivered, then the feed ends.
        #expect(seqs == Array(1...50))
    }

    struct Unreadable: Error, CustomStringConvertible { var description: String { "disk I/O error" } }

    /// The journal as the bus's history, except that its first `failures` reads of events fail.
    private func flaky(_ journal: Journal, failures: Int) -> EventHistory {
        let real = EventHistory.journal(journal)
        let left = Atomic<Int>(failures)
        return EventHistory(events: { seq, limit in
            if left.subtract(1, ordering: .relaxed).oldValue > 0 { throw Unreadable() }
            return try await real.events(seq, limit)
        }, lastSeq: real.lastSeq)
    }

    /// Publishes `n` committed events to a feed that reads none of them, so it must catch up from history.
    private func fallBehind(_ bus: EventBus, _ journal: Journal, n: Int) async throws {
        for batch in 0..<(n / 100) { bus.publish(try await journal.commit(events(100, from: batch * 100))) }
    }

    @Test("a journal read that fails once while a slow subscriber catches up is retried: every event still arrives, in order")
    func catchUpRetriesAFailedRead() async throws {
        let journal = try journal("bus-retry")
        let bus = EventBus(history: flaky(journal, failures: 2), capacity: 100, retryPause: .milliseconds(1))
        let feed = bus.feed(after: 0)
        try await fallBehind(bus, journal, n: 1000)
        var seen: [Int64] = []
        do {
            for try await e in feed {
                seen.append(e.seq!)
                if seen.count == 1000 { break }
            }
        } catch {
            Issue.record("the feed failed on a read that would have worked the next time: \(error)")
        }
        #expect(seen.count == 1000)
        #expect(seen.elementsEqual(1...1000), "events out of order or repeated")
    }

    @Test("a journal that cannot be read while a slow subscriber catches up ends its feed with an error naming the journal, never as 'no more events'")
    func catchUpFailureIsAnError() async throws {
        let journal = try journal("bus-unreadable")
        let bus = EventBus(history: flaky(journal, failures: .max), capacity: 100, retryPause: .milliseconds(1))
        let feed = bus.feed(after: 0)
        try await fallBehind(bus, journal, n: 1000)
        var seen = 0
        do {
            for try await _ in feed { seen += 1 }
            Issue.record("the feed ended as if there were no more events after \(seen); the journal read failure was hidden")
        } catch {
            #expect("\(error)".contains("journal") && "\(error)".contains("disk I/O error"), "\(error)")
        }
        #expect(seen == 0)
    }
}
