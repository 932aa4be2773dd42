import Alarms
import Foundation
import Hummingbird
import SiteConfig

/// The history page's search: time range (site time, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`), zone
/// or area, type, priority, state and user (who acknowledged, reset or noted).
struct HistoryQuery: Sendable {
    var from: Date?
    var to: Date?
    var place = ""
    var type = ""
    var priority = ""
    var state = ""
    var user = ""
    var limit = 1000
    /// The query's fields as given (to fill the form again).
    var given: [String: String] = [:]

    init(_ params: Parameters, timezone: String) {
        func text(_ k: String) -> String { params.get(k).map { String($0).trimmingCharacters(in: .whitespaces) } ?? "" }
        for k in ["from", "to", "place", "type", "priority", "state", "user"] { given[k] = text(k) }
        from = Self.time(text("from"), timezone: timezone)
        to = Self.time(text("to"), timezone: timezone)
        if let to, text("to").count == 10 { self.to = to.addingTimeInterval(86400) }
        place = text("place"); type = text("type"); priority = text("priority"); state = text("state"); user = text("user")
    }

    static func time(_ s: String, timezone: String) -> Date? {
        guard !s.isEmpty else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timezone)
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            f.dateFormat = format
            if let d = f.date(from: s) { return d }
        }
        return nil
    }

    func matches(_ a: Alarm, config: SiteConfig) -> Bool {
        if let from, a.updatedAt < from { return false }
        if let to, a.raisedAt >= to { return false }
        if !place.isEmpty {
            let zone = config.zone(id: a.source.id)
            let hit = a.source.id == place || a.name.contains(place) || zone?.area == place
                || (zone?.area).flatMap { id in config.areas.first { $0.id == id }?.name } == place
            if !hit { return false }
        }
        if !type.isEmpty, a.category != type, BoardView.typeWord(a.category) != type { return false }
        if !priority.isEmpty, a.priority.rawValue != priority { return false }
        if !state.isEmpty, a.state.rawValue != state { return false }
        if !user.isEmpty, a.acknowledgedBy != user, a.resetBy != user, !a.notes.contains(where: { $0.user == user }) { return false }
        return true
    }
}

/// The history as CSV for Excel: a header row, one alarm a line, fields quoted when needed.
/// The board sends it with a UTF-8 BOM so Excel reads the Chinese right.
enum HistoryCSV {
    static func text(_ alarms: [Alarm], view: BoardView, timezone: String) -> String {
        let time = SiteTime(timezone: timezone)
        var lines = [["id", "source", "name", "type", "condition", "area", "priority", "state", "raised_at", "acknowledged_at",
                      "acknowledged_by", "returned_at", "reset_at", "reset_by", "notes"].joined(separator: ",")]
        for a in alarms {
            let r = view.row(a)
            let fields = [String(a.id), a.source.id, a.name, r.type, r.condition, r.area ?? "", a.priority.rawValue, a.state.rawValue,
                          time.text(a.raisedAt), a.acknowledgedAt.map(time.text) ?? "", a.acknowledgedBy ?? "",
                          a.returnedAt.map(time.text) ?? "", a.resetAt.map(time.text) ?? "", a.resetBy ?? "",
                          a.notes.map { "\(time.text($0.time)) \($0.user): \($0.text)" }.joined(separator: " | ")]
            lines.append(fields.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ s: String) -> String {
        // A leading = + - @ would be a formula in Excel: quoted with a leading apostrophe.
        var s = s
        if let c = s.first, "=+-@".contains(c) { s = "'" + s }
        guard s.contains(where: { ",\"\r\n".contains($0) }) || s != s.trimmingCharacters(in: .whitespaces) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Times in the site's timezone, `YYYY-MM-DD HH:MM:SS`.
struct SiteTime: Sendable {
    let timezone: String
    func text(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timezone)
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: d)
    }
}
