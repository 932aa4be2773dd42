import Alarms
import Foundation
import SiteConfig

/// Human-readable output (the --json form is the daemon's own JSON).
enum Format {
    /// In site time (see `ShownTime`).
    static func time(_ d: Date?) -> String { ShownTime.time(d) }

    /// A short time for a console column ("HH:mm:ss", "MM-dd HH:mm"), in site time like every other
    /// time the console prints (the table says the zone once above it when the host reads another).
    static func clock(_ d: Date, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = ShownTime.zone
        f.dateFormat = pattern
        return f.string(from: d)
    }

    /// The forms a duration may take; a bare number is refused (30 what?).
    static let durationForms = "90s, 30m, 2h or 1d"

    /// Seconds in a duration with its unit (`90s`, `30m`, `2h`, `1d`); nil for anything else, a bare number included.
    static func seconds(_ text: String) -> Int? {
        let units: [(String, Int)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (u, f) in units where text.hasSuffix(u) {
            if let n = Int(text.dropLast()), n > 0 { return n * f }
        }
        return nil
    }

    static func table(_ alarms: [Alarm]) -> String {
        var rows = [["ID", "STATE", "PRIORITY", "SOURCE", "NAME", "TYPE", "CONDITION", "RAISED", "ACK BY", "NOTES"]]
        for a in alarms {
            var state = a.state.rawValue
            if a.shelved != nil { state += " (shelved)" }
            if a.chattering { state += " (chattering)" }
            rows.append([String(a.id), state, a.priority.rawValue, "\(a.source.kind.rawValue) \(a.source.id)", a.name, a.category,
                         a.condition.rawValue, time(a.raisedAt), a.acknowledgedBy ?? "-", String(a.notes.count)].map(Printable.line))
        }
        // Width by display columns: CJK characters take two.
        func width(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) } }
        let widths = (0..<rows[0].count).map { c in rows.map { width($0[c]) }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in cell + String(repeating: " ", count: widths[i] - width(cell)) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func event(_ e: AlarmEvent) -> String {
        var parts = [time(e.time)]
        if let a = e.alarm {
            let what = a.condition == .commLoss ? "comm loss" : a.condition.rawValue
            parts.append("\(e.kind.rawValue.uppercased()) alarm \(a.id) [\(a.priority.rawValue)] \(a.source.kind.rawValue) \(a.source.id) \(a.name) (\(a.category)): \(what) -> \(a.state.rawValue)")
        } else {
            // Zone-level events name their zone; a check's or a test run's events have none.
            parts.append(e.zone.map { "\(e.kind.rawValue.uppercased()) zone \($0)" } ?? e.kind.rawValue.uppercased())
        }
        if let u = e.user { parts.append("by \(u)") }
        if let t = e.text { parts.append("\"\(t)\"") }
        return Printable.line(parts.joined(separator: " "))
    }
}
