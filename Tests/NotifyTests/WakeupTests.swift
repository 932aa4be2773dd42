import Foundation
import Synchronization
import Testing

@testable import Notify

@Suite("Wake-ups of the delivery loops", .timeLimit(.minutes(2)))
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

    @Test("a timeout that elapses before the wait has begun still ends it (the delivery loop never hangs)")
    func timeoutBeforeWaiting() async throws {
        let wake = Wakeup()
        // A clock whose sleeps are over at once: the timer can win the race against the wait itself.
        let done = Mutex(0)
        let waits = Task {
            for _ in 0..<3000 {
                await wake.wait(timeout: .milliseconds(1), sleep: { _ in })
                done.withLock { $0 += 1 }
            }
        }
        // A hung wait stops the count for good; a loaded machine only slows it. So the test gives up
        // after 10 s without a single wait ending, not after a fixed time for all 3000.
        var finished = 0
        var lastProgress = ContinuousClock.now
        while finished < 3000 && ContinuousClock.now - lastProgress < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
            let now = done.withLock { $0 }
            if now > finished { lastProgress = ContinuousClock.now }
            finished = now
        }
        if finished < 3000 { waits.cancel() }
        #expect(finished == 3000, "a wait hung after \(finished) waits")
        await waits.value
    }
}
