import Polling
import Testing

struct CommSupervisorTests {
    let t0 = ContinuousClock.now

    func supervisor(lossAfter: Int = 3) -> CommSupervisor {
        CommSupervisor(lossAfter: lossAfter, interval: .seconds(1), maxBackoff: .seconds(10))
    }

    @Test("a device is comm-lost at the Nth consecutive failure, not before", arguments: [1, 3, 5])
    func lostAtNthFailure(n: Int) {
        var s = supervisor(lossAfter: n)
        for i in 1..<n {
            #expect(s.recordFailure(at: t0 + .seconds(i)) == nil, "failure \(i) of \(n)")
            #expect(s.state != .lost)
        }
        #expect(s.recordFailure(at: t0 + .seconds(n)) == .lost)
        #expect(s.state == .lost)
        #expect(s.consecutiveFailures == n)
    }

    @Test("comm loss is reported once however long the device stays silent")
    func lostReportedOnce() {
        var s = supervisor()
        let transitions = (1...10).compactMap { s.recordFailure(at: t0 + .seconds($0)) }
        #expect(transitions == [.lost])
    }

    @Test("the first good poll after a loss reports restored, and only once")
    func restoredOnNextSuccess() {
        var s = supervisor()
        for i in 1...4 { _ = s.recordFailure(at: t0 + .seconds(i)) }
        #expect(s.recordSuccess() == .restored)
        #expect(s.state == .ok)
        #expect(s.consecutiveFailures == 0)
        #expect(s.isDue(at: t0 + .seconds(4)))
        #expect(s.recordSuccess() == nil)
    }

    @Test("a good poll without a loss is no transition, and resets the failure count")
    func successWithoutLoss() {
        var s = supervisor()
        #expect(s.recordSuccess() == nil)
        _ = s.recordFailure(at: t0)
        _ = s.recordFailure(at: t0 + .seconds(1))
        #expect(s.recordSuccess() == nil)
        // Two more failures are not enough: the count started again.
        #expect(s.recordFailure(at: t0 + .seconds(2)) == nil)
        #expect(s.recordFailure(at: t0 + .seconds(3)) == nil)
        #expect(s.state == .ok)
    }

    @Test("failures before the loss are retried at the normal poll rate")
    func earlyFailuresNotDelayed() {
        var s = supervisor()
        _ = s.recordFailure(at: t0)
        _ = s.recordFailure(at: t0 + .seconds(1))
        #expect(s.nextAttempt == nil)
        #expect(s.isDue(at: t0 + .seconds(1)))
    }

    @Test("once lost, the retry wait doubles from twice the interval up to the cap")
    func backoffDoublesAndCaps() {
        var s = supervisor(lossAfter: 3)
        _ = s.recordFailure(at: t0)
        _ = s.recordFailure(at: t0)
        var waits: [Duration] = []
        for _ in 0..<6 {
            _ = s.recordFailure(at: t0)
            waits.append(s.nextAttempt.map { t0.duration(to: $0) } ?? .zero)
        }
        #expect(waits == [.seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10), .seconds(10)])
    }

    @Test("a lost device is not due until its backoff has passed")
    func notDueDuringBackoff() {
        var s = supervisor(lossAfter: 1)
        let failedAt = t0 + .seconds(100)
        #expect(s.recordFailure(at: failedAt) == .lost)
        #expect(!s.isDue(at: failedAt))
        #expect(!s.isDue(at: failedAt + .milliseconds(1999)))
        #expect(s.isDue(at: failedAt + .seconds(2)))
    }

    @Test("a very long outage keeps the wait at the cap")
    func longOutageStaysCapped() {
        var s = supervisor()
        for i in 0..<200 { _ = s.recordFailure(at: t0 + .seconds(i)) }
        #expect(s.backoff == .seconds(10))
        #expect(s.nextAttempt == t0 + .seconds(199) + .seconds(10))
    }

    @Test("after a restore, the next outage starts counting and backing off from the beginning")
    func secondOutageStartsAfresh() {
        var s = supervisor()
        for i in 1...6 { _ = s.recordFailure(at: t0 + .seconds(i)) }
        #expect(s.recordSuccess() == .restored)
        #expect(s.recordFailure(at: t0 + .seconds(20)) == nil)
        #expect(s.recordFailure(at: t0 + .seconds(21)) == nil)
        #expect(s.recordFailure(at: t0 + .seconds(22)) == .lost)
        #expect(s.nextAttempt == t0 + .seconds(24))
    }
}
