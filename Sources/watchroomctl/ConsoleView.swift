import Alarms
import Control
import Foundation
import SiteConfig

#if canImport(Glibc)
import Glibc
#endif

/// How the console draws: colour on a terminal only (never piped, never with NO_COLOR; CLICOLOR_FORCE
/// forces it), the bell with it unless told not to, and rows that fit 80 columns.
struct ConsoleStyle {
    var colour: Bool
    var bell: Bool
    static let width = 80

    static func current(noBell: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) -> ConsoleStyle {
        let forced = environment["CLICOLOR_FORCE"].map { !$0.isEmpty && $0 != "0" } ?? false
        let terminal = isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb"
        let noColour = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return ConsoleStyle(colour: (terminal || forced) && !noColour, bell: (terminal || forced) && !noBell)
    }

    /// `text` in the colour of its priority, bold while no one has acknowledged it, dim once handled.
    func paint(_ text: String, _ priority: Priority, _ state: AlarmState) -> String {
        guard colour else { return text }
        var codes: [String] = [state == .normal ? "32" : Self.hue[priority] ?? "0"]
        switch state {
        case .unacknowledged, .returnedUnacknowledged: codes.append("1")
        case .awaitingReset: codes.append("2")
        case .acknowledged, .normal: break
        }
        return "\u{1B}[\(codes.joined(separator: ";"))m\(text)\u{1B}[0m"
    }

    private static let hue: [Priority: String] = [.critical: "97;41", .high: "31", .medium: "33", .low: "36", .info: "37"]
}

/// Rows of the console's views: name and source first, cut to fit 80 columns (CJK counts two).
enum ConsoleRow {
    /// Display columns of `s`: East Asian wide characters take two.
    static func width(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) } }

    private static func isWide(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// `s` cut to `columns` (ending in "…" when cut) and padded to exactly `columns`.
    static func cell(_ s: String, _ columns: Int) -> String {
        let cut = fit(s, columns)
        return cut + String(repeating: " ", count: max(0, columns - width(cut)))
    }

    /// `s` cut to at most `columns`, ending in "…" when cut.
    static func fit(_ s: String, _ columns: Int) -> String {
        guard width(s) > columns else { return s }
        var out = "", used = 0
        for ch in s {
            let w = width(String(ch))
            if used + w > columns - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// The API's state words, short enough for a column.
    static func state(_ s: AlarmState) -> String {
        switch s {
        case .unacknowledged: "unacked"
        case .acknowledged: "acked"
        case .returnedUnacknowledged: "rtn-unacked"
        case .awaitingReset: "wait-reset"
        case .normal: "normal"
        }
    }

    static let alarmHeader = [cell("NAME", 16), cell("SOURCE", 9), cell("PRIORITY", 8), cell("STATE", 11), cell("RAISED", 11), "ID"]
        .joined(separator: "  ")

    /// One open alarm in 80 columns: name, source, priority, state, raised, id, and a flag when shelved or chattering.
    static func alarm(_ a: Alarm, style: ConsoleStyle) -> String {
        var flags: [String] = []
        if a.shelved != nil { flags.append("shelved") }
        if a.chattering { flags.append("chatter") }
        let row = [cell(Printable.line(a.name), 16), cell(Printable.line(a.source.id), 9), cell(a.priority.rawValue, 8), cell(state(a.state), 11),
                   cell(Format.clock(a.raisedAt, "MM-dd HH:mm"), 11), cell("#\(a.id)", 6)].joined(separator: "  ")
        let line = fit((row + (flags.isEmpty ? "" : "  " + flags.joined(separator: ","))).trimmingCharacters(in: .whitespaces), ConsoleStyle.width)
        return style.paint(line, a.priority, a.state)
    }

    /// Open alarms as the console orders them: most urgent first, then longest waiting.
    static func ordered(_ alarms: [Alarm]) -> [Alarm] {
        alarms.sorted { ($0.priority.rank, $0.raisedAt, $0.id) < ($1.priority.rank, $1.raisedAt, $1.id) }
    }
}

/// `watchroomctl watch` as a person reads it: the first screen of open alarms, then one row per
/// event; a self-test's and an equipment check's per-item results fold into one summary line each.
struct WatchScreen {
    var style: ConsoleStyle
    var names: [String: String] = [:]
    private var failedChecks: [String] = []

    init(style: ConsoleStyle) { self.style = style }

    /// The first screen: the open alarms, most urgent first.
    mutating func start(_ snapshot: WatchSnapshot) -> [String] {
        names = snapshot.names
        guard !snapshot.alarms.isEmpty else { return ["no open alarms; events follow"] }
        return ["\(snapshot.alarms.count) open alarm\(snapshot.alarms.count == 1 ? "" : "s"), most urgent first; events follow", ConsoleRow.alarmHeader]
            + ConsoleRow.ordered(snapshot.alarms).map { ConsoleRow.alarm($0, style: style) }
    }

    /// The row for one event (nil: folded into a later summary), with the bell before a new
    /// unacknowledged high or critical alarm.
    mutating func row(_ e: AlarmEvent) -> String? {
        let clock = Format.clock(e.time, "HH:mm:ss")
        let kind = e.kind.rawValue.uppercased()
        switch e.kind {
        case .selfTestResult:
            if e.text?.hasPrefix("fail") == true { failedChecks.append("\(e.zone ?? "") \(e.text ?? "")") }
            return nil
        case .equipmentCheck:
            guard let text = e.text, text.hasPrefix("summary:") else {
                if e.text?.hasPrefix("fail") == true { failedChecks.append(String((e.text ?? "").dropFirst(6))) }
                return nil
            }
            defer { failedChecks = [] }
            let failed = failedChecks.isEmpty ? "" : " (\(failedChecks.joined(separator: "; ")))"
            return fit("equipment check \(String(text.dropFirst(9)))\(failed)  \(clock)\(e.user.map { " by \($0)" } ?? "")")
        case .selfTestStarted, .selfTestFinished:
            if e.kind == .selfTestStarted { failedChecks = [] }
            let word = e.kind == .selfTestStarted ? "started" : "finished"
            return fit("self-test \(word): \(e.text ?? "")  \(clock)\(e.user.map { " by \($0)" } ?? "")")
        default: break
        }
        if let a = e.alarm {
            var line = "\(ConsoleRow.cell(Printable.line(a.name), 16))  \(ConsoleRow.cell(Printable.line(a.source.id), 9))  \(kind) alarm \(a.id) \(a.priority.rawValue) \(ConsoleRow.state(a.state)) \(clock)"
            if let u = e.user { line += " by \(u)" }
            if let t = e.text { line += " \"\(t)\"" }
            let ring = style.bell && (e.kind == .raised || e.kind == .reactivated) && a.state == .unacknowledged
                && a.priority >= .high && a.shelved == nil
            return (ring ? "\u{07}" : "") + style.paint(fit(line), a.priority, a.state)
        }
        var line: String
        if let z = e.zone {
            line = "\(ConsoleRow.cell(Printable.line(names[z] ?? z), 16))  \(ConsoleRow.cell(Printable.line(z), 9))  \(kind) \(clock)"
        } else {
            line = "\(kind) \(clock)"
        }
        if let u = e.user { line += " by \(u)" }
        if let t = e.text { line += " \"\(t)\"" }
        return fit(line)
    }

    private func fit(_ s: String) -> String { ConsoleRow.fit(Printable.line(s), ConsoleStyle.width) }
}
