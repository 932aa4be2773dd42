import Polling
import Synchronization

/// Where bus workers drop their events; the pipeline takes everything waiting in one go, so a
/// storm becomes a few large batches (one journal commit each) instead of many small ones.
final class ScanInbox: Sendable {
    private let pending = Mutex<[PollEvent]>([])
    private let signal: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>

    init() {
        (wakeups, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func put(_ event: PollEvent) {
        pending.withLock { $0.append(event) }
        signal.yield()
    }

    func drain() -> [PollEvent] { pending.withLock { batch in defer { batch.removeAll(keepingCapacity: true) }; return batch } }

    func close() { signal.finish() }
}
