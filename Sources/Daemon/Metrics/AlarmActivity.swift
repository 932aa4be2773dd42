import Alarms
import Foundation
import Prometheus
import SiteConfig
import Synchronization

/// What the metrics learn from the committed events rather than from state: the flood window,
/// the alarm rate and chattering counters, and the last self-test and equipment check. Fed by
/// `MetricsService` from the event bus (like any subscriber: never in the pipeline's way).
final class AlarmActivity: Sendable {
    struct State: Sendable {
        var flood = FloodWindow()
        var selfTest: LastCheck?
        var lastCompleteSelfTest: Date?
        var equipmentCheck: LastCheck?
    }
    /// The counters the events move.
    struct Counters: Sendable {
        let raised: [Priority: Prometheus.Counter]
        let chattering, floods: Prometheus.Counter
    }
    private let state = Mutex(State())
    private let metrics: Counters

    init(counters: Counters) { metrics = counters }

    var current: State { state.withLock { $0 } }

    /// One committed event; `counting` is false for history read at start (already counted by the run before).
    func observe(_ e: AlarmEvent, counting: Bool = true) {
        switch e.kind {
        case .raised, .reactivated:
            guard let alarm = e.alarm else { return }
            if counting { metrics.raised[alarm.priority]?.increment() }
            let started = state.withLock { s in
                let before = s.flood.floods
                s.flood.annunciated(at: e.time)
                return s.flood.floods > before
            }
            if started && counting { metrics.floods.increment() }
        case .chattering:
            if counting { metrics.chattering.increment() }
        case .selfTestFinished, .equipmentCheck:
            guard let (kind, check) = LastCheck.from(e) else { return }
            state.withLock { s in
                switch kind {
                case .selfTest:
                    if s.selfTest.map({ $0.time <= check.time }) ?? true { s.selfTest = check }
                    if check.complete, s.lastCompleteSelfTest.map({ $0 <= check.time }) ?? true { s.lastCompleteSelfTest = check.time }
                case .equipmentCheck:
                    if s.equipmentCheck.map({ $0.time <= check.time }) ?? true { s.equipmentCheck = check }
                }
            }
        default: break
        }
    }

    /// The last complete self-test the journal had at start (older than the history read).
    func restoreLastCompleteSelfTest(_ time: Date?) {
        guard let time else { return }
        state.withLock { s in if s.lastCompleteSelfTest.map({ $0 < time }) ?? true { s.lastCompleteSelfTest = time } }
    }

    /// The flood window judged at `now` (a flood ends with time, not only with a new alarm).
    func judge(at now: Date) -> State {
        state.withLock { s in
            s.flood.judge(at: now)
            return s
        }
    }
}
