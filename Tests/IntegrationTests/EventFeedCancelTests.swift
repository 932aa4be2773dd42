import Alarms
@testable import Daemon
import Foundation
import Journal
import Testing

/// A subscriber stops by cancelling its task (the uplink losing its broker, or stopping): its
/// feed ends even while it waits for the next event, and the bus goes on for the others.
struct EventFeedCancelTests {
    @Test("a feed waiting for events ends when its task is cancelled; the bus still serves the others")
    func cancelledWaitEnds() async throws {
        let journal = try Journal(path: Paths.tempDir("feed-cancel").appendingPathComponent("journal.sqlite").path)
        let bus = EventBus(journal: journal)
        let waiting = Task {
            var n = 0
            for try await _ in bus.feed() { n += 1 }
            return n
        }
        try await Task.sleep(for: .milliseconds(100))  // it waits in the bus now
        waiting.cancel()
        #expect(try await waiting.value == 0)

        let other = bus.feed(after: 0)
        bus.publish(try await journal.commit([AlarmEvent(kind: .armed, time: Date(), zone: "Z1")]))
        var it = other.makeAsyncIterator()
        #expect(try await it.next()?.seq == 1)
    }
}
