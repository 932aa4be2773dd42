public import Alarms
import Foundation
public import SiteConfig

/// One line per alarm event, for the log and for `watchroomctl watch`; control characters in
/// notes, names and users are escaped (`Printable.line`).
public enum EventText {
    public static func line(_ e: AlarmEvent, site: SiteConfig?) -> String {
        var parts: [String] = []
        if let seq = e.seq { parts.append("#\(seq)") }
        if let a = e.alarm {
            let what = a.condition == .commLoss ? "comm loss" : a.condition.rawValue
            let verb = a.condition == .commLoss && e.kind == .raised ? "comm loss" : e.kind.rawValue
            parts.append("alarm \(a.id) \(verb):")
            parts.append("\(a.source.kind.rawValue) \(a.source.id) \(a.name) (\(a.category), \(a.priority.rawValue)) \(what)")
            parts.append("state \(a.state.rawValue)")
        } else if let zone = e.zone {
            let name = site?.zone(id: zone)?.name ?? ""
            parts.append("zone \(zone) \(name) \(e.kind.rawValue)")
        } else {
            parts.append(e.kind.rawValue)
        }
        if let user = e.user { parts.append("by \(user)") }
        if let text = e.text { parts.append("\"\(text)\"") }
        return Printable.line(parts.joined(separator: " "))
    }
}
