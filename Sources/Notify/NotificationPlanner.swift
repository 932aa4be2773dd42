public import Alarms
import Foundation
public import SiteConfig

/// Decides, from alarm events, which notifications go to which target. Pure.
///
/// What each target gets is its format's say (`Notifier.wants`): chat bots get what needs a person,
/// incident systems (`standard`, `alertmanager`) also acknowledgements and resolutions.
public struct NotificationPlanner: Sendable {
    public let config: SiteConfig
    public let roster: ShiftRoster
    /// Which kinds each target's format wants.
    public let notifiers: NotifierRegistry

    /// The message text in the site's language (`site.language`).
    public let text: MessageText

    /// `boardURL`: the board's base URL, for a link to each alarm (nil: no link).
    public init(config: SiteConfig, notifiers: NotifierRegistry = .standard, boardURL: String? = nil) {
        self.config = config
        self.notifiers = notifiers
        roster = ShiftRoster(config: config)
        text = MessageText(config: config, boardURL: boardURL ?? config.board?.linkBase)
    }

    /// Each target asks first; a notification is built only when some target wants it (with
    /// `notify: []` nothing is built), and once for all the targets that do.
    public func plan(_ events: [AlarmEvent]) -> [(target: String, notification: Notification)] {
        var out: [(String, Notification)] = []
        guard !config.notify.isEmpty else { return out }
        for event in events {
            // A self-test or equipment-check failure: report for repair at once (site rules 3-5).
            if (event.kind == .selfTestResult || event.kind == .equipmentCheck), event.text?.hasPrefix("fail") == true {
                let targets = config.notify.filter { $0.minPriority <= .high && accepts($0, .repairRequired) }
                if targets.isEmpty { continue }
                let n = repair(event)
                for target in targets { out.append((target.id, n)) }
                continue
            }
            guard let alarm = event.alarm, let kind = kind(of: event) else { continue }
            if alarm.shelved != nil && kind != .resolved { continue }  // shelved: hidden until it comes back
            let targets = config.notify.filter { wants($0, kind, alarm: alarm) }
            if targets.isEmpty { continue }
            let n = notification(kind, alarm: alarm, event: event)
            for target in targets { out.append((target.id, n)) }
        }
        return out
    }

    func kind(of event: AlarmEvent) -> Notification.Kind? {
        switch event.kind {
        case .raised:
            switch event.alarm?.condition {
            case .deliveryFailure: .deliveryFailure
            default: .raised
            }
        case .reactivated: .reactivated
        case .escalated: .escalated
        case .acknowledged: .acknowledged
        case .reset, .cleared: .resolved
        default: nil
        }
    }

    func wants(_ target: NotifyTarget, _ kind: Notification.Kind, alarm: Alarm) -> Bool {
        guard alarm.priority >= target.minPriority || kind == .deliveryFailure else { return false }
        // A target's own delivery failure is reported to the others, not to itself.
        if alarm.condition == .deliveryFailure && alarm.source.id == "notify-\(target.id)" { return false }
        return accepts(target, kind)
    }

    /// The target's format wants this kind. A format the registry lacks cannot be delivered (the
    /// config check refuses it); planned anyway, its rows stay pending and show instead of vanishing.
    func accepts(_ target: NotifyTarget, _ kind: Notification.Kind) -> Bool {
        notifiers.notifier(named: target.format)?.wants(kind) ?? true
    }

    public func notification(_ kind: Notification.Kind, alarm: Alarm, event: AlarmEvent) -> Notification {
        let shift = roster.onDuty(at: event.time)
        var recipients = shift.map { [$0.leader] } ?? []
        if kind == .escalated, let sup = roster.supervisor { recipients.append(sup) }
        let lines = text.lines(kind, alarm: alarm, event: event, shift: shift, supervisor: roster.supervisor)
        return Notification(kind: kind, time: event.time, site: config.siteName, alarm: alarm, recipients: recipients,
                            shift: shift?.name, title: lines[0], text: lines.joined(separator: "\n"), language: text.language.rawValue)
    }

    /// "Repair required" for a failed self-test zone or equipment-check item.
    public func repair(_ event: AlarmEvent) -> Notification {
        let shift = roster.onDuty(at: event.time)
        let lines = text.repairLines(event, shift: shift)
        return Notification(kind: .repairRequired, time: event.time, site: config.siteName, alarm: nil,
                            recipients: shift.map { [$0.leader] } ?? [], shift: shift?.name, title: lines[0], text: lines.joined(separator: "\n"),
                            language: text.language.rawValue)
    }

    static func siteTime(_ date: Date, _ tz: String) -> String { LocalTime.format(date, zone: tz) }
}
