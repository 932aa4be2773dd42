import Foundation

extension AlarmEngine {
    /// The wall clock was set: every pending duration (escalation, shelving, self-test deadlines,
    /// the 26-hour self-test check, chattering windows) moves with it, so each still ends after
    /// its own length of real time. The step is journaled as `clock-set` (GB 12663).
    ///
    /// Area schedules are not moved: "armed 19:00-07:00" is a rule about the clock a person
    /// reads, so a clock set past 19:00 arms the perimeter at the next tick.
    public mutating func clockSet(_ step: ClockStep) -> EngineOutput {
        let d = step.delta
        shiftPending(by: d)
        var out = EngineOutput()
        let sign = d >= 0 ? "+" : "-"
        out.events.append(AlarmEvent(kind: .clockSet, time: step.to, user: "system",
                                     text: "clock set from \(stamp(step.from)) to \(stamp(step.to)) (\(sign)\(Int(abs(d).rounded())) s); pending timers keep their durations"))
        return out
    }
}
