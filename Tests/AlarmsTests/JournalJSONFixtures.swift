import Access
@testable import Alarms
import Foundation
import SiteConfig

/// Values for the journal's JSON writer: every field set, every field left out, and strings
/// that JSON has to escape or must keep as UTF-8.
enum JournalJSONFixtures {
    /// Quotes, backslash, slash, every kind of control character, a separator JSON allows raw,
    /// emoji and Chinese.
    static let tricky = ["\"", "\\", "/", "\n", "\r\t\u{8}\u{C}", "\u{0}", "\u{1F}", "\u{7F}", "\u{2028}\u{2029}",
                         "😀👩‍🚒", "3层烟感 防区", "a \"quoted\" C:\\path/to\n\u{0}end"]
    static let trickyText = tricky.joined(separator: "|")

    /// Seconds with a fraction a Double holds exactly, so the decoded Date is the written one.
    static let raised = Date(timeIntervalSince1970: 1_764_601_234.375)

    static func fullAlarm(state: AlarmState = .awaitingReset, condition: AlarmCondition = .alarm,
                          priority: Priority = .critical, kind: AlarmSource.Kind = .zone) -> Alarm {
        Alarm(id: 4711, source: AlarmSource(kind, "F01/\(trickyText)"), name: "3F 烟感 \(trickyText)", category: "fire",
              condition: condition, priority: priority, state: state, latched: true, active: false, requiresNote: true,
              raisedAt: raised, updatedAt: raised.addingTimeInterval(300.5),
              acknowledgedAt: raised.addingTimeInterval(20.25), acknowledgedBy: "张三 \(trickyText)",
              returnedAt: raised.addingTimeInterval(60.125), resetAt: raised.addingTimeInterval(300.5), resetBy: "李四",
              notes: [AlarmNote(time: raised.addingTimeInterval(120.0625), user: "张三", text: "消防主机显示3层烟感,现场确认为水汽 \(trickyText)"),
                      AlarmNote(time: raised.addingTimeInterval(121), user: tricky[0], text: tricky[5])],
              shelved: Shelving(at: raised.addingTimeInterval(30), until: raised.addingTimeInterval(3630.5), user: "王主管", reason: trickyText),
              activations: 3, chattering: true, value: "1 \(trickyText)", escalations: 2, escalationBase: raised.addingTimeInterval(1.5))
    }

    /// Only what every alarm has; every optional nil, no notes.
    static func minimalAlarm() -> Alarm {
        Alarm(id: 1, source: AlarmSource(.device, "d1"), name: "", category: "device", condition: .commLoss, priority: .info,
              state: .unacknowledged, latched: false, active: true, requiresNote: false,
              raisedAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 1_764_601_234))
    }

    static let fullActor: Actor = {
        let admin = SiteUser(login: "wang\(trickyText)", name: "王主管", roles: Role.allCases, unix: "wang")
        let user = SiteUser(login: "zhangsan", name: "张三 \(trickyText)", roles: [.operator])
        return Actor(user: admin, carrier: Carrier(unix: "wang", session: "s-\(trickyText)"), actingFor: user)
    }()

    static func fullEvent(kind: AlarmEvent.Kind = .noted) -> AlarmEvent {
        var e = AlarmEvent(kind: kind, time: raised.addingTimeInterval(121.5), alarm: fullAlarm(), zone: "F01 \(trickyText)",
                           user: "张三 \(trickyText)", text: trickyText)
        e.actor = fullActor
        e.seq = 9_000_000_001
        return e
    }

    static func minimalEvent(kind: AlarmEvent.Kind = .armed) -> AlarmEvent {
        AlarmEvent(kind: kind, time: Date(timeIntervalSince1970: 1_764_601_234))
    }

    static func fullZoneControl() -> ZoneControl {
        var z = ZoneControl(armed: true)
        z.armedBy = "张三 \(trickyText)"
        z.armedAt = raised
        z.outOfService = true
        z.outOfServiceBy = "李四"
        z.outOfServiceReason = trickyText
        z.outOfServiceAt = raised.addingTimeInterval(0.5)
        return z
    }

    /// Every case of the enums the writer spells (not CaseIterable, so listed; a new case is
    /// written by its raw value whatever it is).
    static let states: [AlarmState] = [.unacknowledged, .acknowledged, .returnedUnacknowledged, .awaitingReset, .normal]
    static let conditions: [AlarmCondition] = [.alarm, .tamper, .fault, .high, .low, .commLoss, .selfTestMissed, .deliveryFailure,
                                                .retentionShortfall, .recordingStopped, .retentionAtRisk, .diskFull]
    static let sourceKinds: [AlarmSource.Kind] = [.zone, .sensor, .equipment, .device, .system]
    static let eventKinds: [AlarmEvent.Kind] = [.raised, .reactivated, .escalated, .acknowledged, .noted, .returned, .reset, .cleared,
                                                 .shelved, .unshelved, .chattering, .armed, .disarmed, .outOfService, .returnedToService,
                                                 .suppressed, .selfTestStarted, .testActivity, .selfTestResult, .selfTestFinished,
                                                 .equipmentCheck, .retentionPruned, .clockSet, .loginLocked]

    /// The paths of optionals left nil and arrays left empty anywhere in `value`: a fixture meant
    /// to be fully populated has none, so a field added later is noticed here, not missed.
    static func unsetFields(_ value: Any, path: String = "") -> [String] {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return [path] }
            return unsetFields(wrapped, path: path)
        }
        if mirror.displayStyle == .collection, mirror.children.isEmpty { return [path] }
        // A Date is one Double inside; strings and enums have no members worth walking.
        if value is Date || value is String { return [] }
        return mirror.children.enumerated().flatMap { i, child in
            unsetFields(child.value, path: path + "." + (child.label ?? "\(i)"))
        }
    }
}
