import Alarms
import Synchronization

/// Hands committed events to every watcher (`watchroomctl watch`). A slow watcher loses the
/// oldest events beyond its buffer rather than slowing the engine; the journal has them all.
final class EventBroadcaster: Sendable {
    private let watchers = Mutex<[Int: AsyncStream<AlarmEvent>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    func subscribe() -> AsyncStream<AlarmEvent> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: AlarmEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in self?.watchers.withLock { _ = $0.removeValue(forKey: id) } }
        watchers.withLock { $0[id] = continuation }
        return stream
    }

    func publish(_ events: [AlarmEvent]) {
        guard !events.isEmpty else { return }
        for c in watchers.withLock({ Array($0.values) }) { for e in events { c.yield(e) } }
    }

    func finishAll() { for c in watchers.withLock({ Array($0.values) }) { c.finish() } }
}
