import Alarms
import Foundation
@testable import Daemon
import Journal
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
        for await e in feed {
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
            for await e in feed { seqs.append(e.seq!) }
            return seqs
        }
        for batch in 0..<5 { bus.publish(try await journal.commit(events(10, from: batch * 10))) }
        bus.finish()
        let seqs = await reader.value
        // What was published before the bus finished is still delivered, then the feed ends.
        #expect(seqs == Array(1...50))
    }
}
