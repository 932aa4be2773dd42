import Alarms
import Foundation
import Logging
import Notify
import SiteConfig

/// The log target, always on: one line per notification to the shift leader, at the alarm's
/// syslog level, so a site without any notifier still has every call-out in the journal of systemd.
enum NotificationLog {
    static func lines(_ events: [AlarmEvent], planner: NotificationPlanner) -> [(level: Logger.Level, text: String)] {
        var out: [(level: Logger.Level, text: String)] = []
        // A failed self-test or check item asks for repair.
        for e in events where (e.kind == .selfTestResult || e.kind == .equipmentCheck) && e.text?.hasPrefix("fail") == true {
            let n = planner.repair(e)
            out.append((.error, "NOTIFY \(who(n)): \(n.title)"))
        }
        for e in events {
            guard let alarm = e.alarm, alarm.shelved == nil, [.raised, .reactivated, .escalated].contains(e.kind) else { continue }
            let kind: Notify.Notification.Kind = e.kind == .escalated ? .escalated
                : e.kind == .raised ? (alarm.condition == .deliveryFailure ? .deliveryFailure : .raised) : .reactivated
            let n = planner.notification(kind, alarm: alarm, event: e)
            out.append((ChangeLog.level(for: alarm.priority), "NOTIFY \(who(n))\(n.shift.map { " [\($0) shift]" } ?? ""): \(n.title)"))
        }
        return out
    }

    /// The log target's one line for a whole storm (its alarms are notified one by one to the other targets).
    static func storm(_ text: String, level: Logger.Level, planner: NotificationPlanner, at t: Date) -> (level: Logger.Level, text: String) {
        let shift = planner.roster.onDuty(at: t)
        let who = shift.map { "\($0.leader.name)\($0.leader.mobile.map { " \($0)" } ?? "")" } ?? "(no shift configured)"
        return (level, "NOTIFY \(who)\(shift.map { " [\($0.name) shift]" } ?? ""): \(text)")
    }

    private static func who(_ n: Notify.Notification) -> String {
        let names = n.recipients.map { "\($0.name)\($0.mobile.map { " \($0)" } ?? "")" }.joined(separator: ", ")
        return names.isEmpty ? "(no shift configured)" : names
    }
}
