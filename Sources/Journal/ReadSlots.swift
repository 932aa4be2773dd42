import Synchronization

/// At most `count` journal reads at a time, the rest waiting their turn in order without holding
/// a thread: a burst of requests (a board reconnecting, a flood of `watchroomctl` calls) cannot
/// grow the reader threads without bound, nor block Swift's cooperative pool.
final class ReadSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>
    let count: Int

    init(count: Int) {
        precondition(count > 0)
        self.count = count
        state = Mutex(State(free: count))
    }

    /// Returns once a slot is this caller's; `release()` hands it on.
    func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.free > 0 { s.free -= 1; return true }
                s.waiting.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Callers waiting for a slot.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiting.isEmpty { s.free += 1; return nil }
            return s.waiting.removeFirst()
        }
        next?.resume()
    }
}
