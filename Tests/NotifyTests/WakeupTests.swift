import Foundation
import Synchronization
import Testing

@testable import Notify

@Suite("Wake-ups of the delivery loops")
struct WakeupTests {
    @Test("a wait that returned on a signal leaves nothing pending: the next wait waits")
    func signalLeavesNothingPending() async throws {
        let wake = Wakeup()
        let first = Task { await wake.wait(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        wake.signal()
        await first.value
        // The first wait's timer is cancelled now; it must not signal on its way out.
        let returned = Mutex(false)
        let second = Task {
            await wake.wait(timeout: .seconds(30))
            returned.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!returned.withLock { $0 }, "the second wait returned at once, with no signal: the loop would spin")
        wake.signal()
        await second.value
        #expect(returned.withLock { $0 })
    }

    @Test("a signal before the wait makes the wait return at once, once")
    func signalFirst() async throws {
        let wake = Wakeup()
        wake.signal()
        await wake.wait(timeout: .seconds(30))
        let returned = Mutex(false)
        let next = Task {
            await wake.wait(timeout: .seconds(30))
            returned.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!returned.withLock { $0 })
        wake.signal()
        await next.value
    }

    @Test("a cancelled wait returns")
    func cancelledWaitReturns() async throws {
        let wake = Wakeup()
        let waiting = Task { await wake.wait(timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await finishes(within: .seconds(5)) { await waiting.value })
    }
}
