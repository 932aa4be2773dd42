import Synchronization

/// Lets one engine step (and its journal commit) run at a time, in arrival order.
///
/// The alarm service is an actor, and an actor is re-entered at every `await`: without this, batch
/// N+1 could be decided and committed while batch N's commit was suspended, so sequence numbers
/// would stop following the engine and an older alarm row could overwrite a newer one.
final class StepGate: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }
    private let state = Mutex(State())

    func enter() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if !s.busy { s.busy = true; return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Hands the gate to the next waiter (FIFO), or opens it.
    func leave() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.head < s.waiters.count else {
                s.waiters.removeAll(keepingCapacity: true)
                s.head = 0
                s.busy = false
                return nil
            }
            defer { s.head += 1 }
            return s.waiters[s.head]
        }
        next?.resume()
    }
}
