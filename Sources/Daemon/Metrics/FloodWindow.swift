import Alarms
import Foundation

/// ISA-18.2's alarm flood, for one room (one operator position): more than `startAbove` alarms
/// annunciated within `window` starts a flood; it ends once a `window` holds fewer than `endBelow`.
/// Pure: the caller passes each annunciation's time and the time to judge at.
struct FloodWindow: Sendable {
    var window: TimeInterval = 600
    var startAbove = 10
    var endBelow = 5
    private(set) var times: [Date] = []
    private(set) var inFlood = false
    /// Floods started since this window was made.
    private(set) var floods = 0

    /// One alarm annunciated (raised, or active again) at `time`.
    mutating func annunciated(at time: Date) {
        times.append(time)
        judge(at: time)
    }

    /// Drops what left the window and ends or starts a flood, as of `now`.
    mutating func judge(at now: Date) {
        times.removeAll { now.timeIntervalSince($0) >= window || $0 > now.addingTimeInterval(window) }
        if inFlood {
            if times.count < endBelow { inFlood = false }
        } else if times.count > startAbove {
            inFlood = true
            floods += 1
        }
    }

    /// Annunciations within the window ending at the last judgement.
    var recent: Int { times.count }
}

/// The last run of a periodic check (zone self-test, morning equipment check) as the journal tells it.
struct LastCheck: Sendable, Equatable {
    var time: Date
    var failed: Int
    /// Every item (zone) was tested: a partial self-test does not count as done.
    var complete: Bool

    /// The result an event carries, if it is one: a finished self-test run
    /// ("run 3 (complete): 5 passed, 1 failed (z4)") or an equipment check's summary
    /// ("summary: 6 passed, 0 failed").
    static func from(_ e: AlarmEvent) -> (kind: Kind, check: LastCheck)? {
        guard let text = e.text else { return nil }
        let kind: Kind
        switch e.kind {
        case .selfTestFinished: kind = .selfTest
        case .equipmentCheck where text.hasPrefix("summary:"): kind = .equipmentCheck
        default: return nil
        }
        guard let failed = Self.count(before: " failed", in: text) else { return nil }
        return (kind, LastCheck(time: e.time, failed: failed, complete: kind == .equipmentCheck || text.contains("(complete)")))
    }

    enum Kind: Sendable { case selfTest, equipmentCheck }

    private static func count(before word: String, in text: String) -> Int? {
        guard let r = text.range(of: word) else { return nil }
        let digits = text[..<r.lowerBound].reversed().prefix { $0.isNumber }
        return Int(String(digits.reversed()))
    }
}
