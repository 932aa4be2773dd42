import Alarms
import Foundation
import Logging

/// An alarm storm in the log: when one step raises `threshold` alarms or more (a power dip trips a
/// whole floor), the log says so once and then sums it up, instead of three lines per alarm
/// (change, event, NOTIFY) that would bury everything else in journald. Every event is still
/// journaled, notified and shown by `watchroomctl alarms`; only the log is folded. Pure.
struct StormLog: Sendable {
    /// Raised alarms in one step that make a storm.
    static let threshold = 20
    /// A storm is over once no alarm has been raised for this long; then its summary is logged.
    /// Seconds, not one: a loaded machine can take longer than a second between the steps of one
    /// storm, which then split into two storms, each with its own summary.
    static let quiet: TimeInterval = 5

    struct Storm: Sendable, Equatable {
        var first: Date
        var last: Date
        var zones = 0
        var others = 0
        var level: Logger.Level = .notice
    }

    enum Outcome: Sendable, Equatable {
        /// A storm began: this many alarms in its first step.
        case opened(Storm)
        /// It is over.
        case closed(Storm)
    }

    private(set) var open: Storm?
    var isOpen: Bool { open != nil }

    /// Alarm raises that a storm folds into its summary (the daemon's own alarms are never folded).
    static func isFolded(_ e: AlarmEvent) -> Bool {
        guard let a = e.alarm, a.source.kind != .system else { return false }
        return [.raised, .reactivated, .returned, .cleared, .chattering].contains(e.kind)
    }

    /// The per-alarm line of a state change that a storm folds (a device's comm loss is kept).
    static func isFolded(_ c: StateChange) -> Bool {
        if case .comm = c { return false }
        return true
    }

    private static func raises(_ events: [AlarmEvent]) -> [Alarm] {
        events.compactMap { e in
            guard e.kind == .raised || e.kind == .reactivated, let a = e.alarm, a.source.kind != .system else { return nil }
            return a
        }
    }

    /// One step's events: opens a storm, adds to the open one, or closes one that has gone quiet.
    mutating func step(_ events: [AlarmEvent], at t: Date) -> [Outcome] {
        var out = tick(at: t)
        let raised = Self.raises(events)
        if raised.isEmpty { return out }
        if open == nil {
            guard raised.count >= Self.threshold else { return out }
            open = Storm(first: t, last: t)
            add(raised, at: t)
            out.append(.opened(open!))
        } else {
            add(raised, at: t)
        }
        return out
    }

    /// Closes the open storm once it has been quiet for `quiet`.
    mutating func tick(at t: Date) -> [Outcome] {
        guard let s = open, t.timeIntervalSince(s.last) >= Self.quiet else { return [] }
        open = nil
        return [.closed(s)]
    }

    private mutating func add(_ raised: [Alarm], at t: Date) {
        guard var s = open else { return }
        for a in raised {
            if a.source.kind == .zone { s.zones += 1 } else { s.others += 1 }
            let level = ChangeLog.level(for: a.priority)
            if level > s.level { s.level = level }
        }
        s.last = t
        open = s
    }

    /// The lines of an outcome: "5,000 zones in alarm in 0.4 s; see watchroomctl alarms".
    static func text(_ outcome: Outcome) -> String {
        switch outcome {
        case .opened(let s):
            return "\(headline(s)) (the log sums it up instead of a line per alarm; every event is journaled and notified)"
        case .closed(let s):
            return "\(what(s)) in \(tenths(s.last.timeIntervalSince(s.first))) s; see watchroomctl alarms"
        }
    }

    /// What the shift leader is told: "alarm storm: 5,000 zones in alarm at once; see watchroomctl alarms".
    static func headline(_ s: Storm) -> String { "alarm storm: \(what(s)) at once; see watchroomctl alarms" }

    private static func what(_ s: Storm) -> String {
        let zones = s.zones > 0 ? "\(grouped(s.zones)) zone\(s.zones == 1 ? "" : "s")" : nil
        let others = s.others > 0 ? "\(grouped(s.others)) other alarm\(s.others == 1 ? "" : "s")" : nil
        return [zones, others].compactMap { $0 }.joined(separator: " and ") + " in alarm"
    }

    /// 5000 -> "5,000" (no NumberFormatter: no locale data on this path).
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    private static func tenths(_ seconds: TimeInterval) -> String {
        let t = (max(0, seconds) * 10).rounded()
        return "\(Int(t) / 10).\(Int(t) % 10)"
    }
}
