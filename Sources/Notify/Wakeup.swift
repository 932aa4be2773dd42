import Synchronization

/// Wakes one waiting loop, or lets the next wait return at once when a signal came first.
///
/// Only `signal()` leaves a signal pending. A wait's own timeout ends that wait and nothing else:
/// a timer that fired late, or was cancelled, must never make a later wait return at once (that
/// made the delivery loop spin on SQLite at a full core after its first delivery).
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var lastID: UInt64 = 0
        /// The wait whose timeout came before it had even begun waiting (its timer won the race).
        var expired: UInt64 = 0
    }
    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w.continuation
            }
            s.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Ends the wait `id` if it is still the one waiting.
    private func end(_ id: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let w = s.waiter, w.id == id else {
                // Not waiting yet: remember, so that this wait returns as soon as it starts.
                if id == s.lastID { s.expired = id }
                return nil
            }
            s.waiter = nil
            return w.continuation
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `timeout` (slept with `sleep`, the service's clock), or when the
    /// calling task is cancelled, whichever is first.
    func wait(timeout: Duration,
              sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) async {
        let id = state.withLock { s -> UInt64 in
            s.lastID &+= 1
            return s.lastID
        }
        let timer = Task { [weak self] in
            do { try await sleep(timeout) } catch { return }  // cancelled: the wait ended otherwise
            self?.end(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    if Task.isCancelled || s.expired == id { return true }
                    s.waiter = (id, c)
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            end(id)
        }
        timer.cancel()
    }
}
