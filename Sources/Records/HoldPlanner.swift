public import Alarms
public import Foundation
public import SiteConfig

/// Which footage an alarm must keep: when a zone with cameras raises an alarm, each camera's
/// recorders hold a window around it (default 5 min before to 15 after) for the hold time
/// (default 90 days); a reset (the incident closed with its note) restarts the hold time.
public struct HoldPlanner: Sendable {
    public let config: SiteConfig
    public init(config: SiteConfig) { self.config = config }

    public func plan(_ events: [AlarmEvent]) -> [HoldChange] {
        let d = config.duty
        let keep = TimeInterval(d.holdDays) * 86400
        var out: [HoldChange] = []
        for e in events {
            guard let alarm = e.alarm, alarm.source.kind == .zone,
                  let zone = config.zones.first(where: { $0.id == alarm.source.id }), !zone.cameras.isEmpty else { continue }
            switch e.kind {
            case .raised, .reactivated:
                for camera in zone.cameras {
                    for r in config.recorders(withCamera: camera) {
                        out.append(.add(RetentionHold(
                            recorder: r.id, camera: camera,
                            from: e.time.addingTimeInterval(-TimeInterval(d.holdBeforeSeconds)),
                            to: e.time.addingTimeInterval(TimeInterval(d.holdAfterSeconds)),
                            until: e.time.addingTimeInterval(keep),
                            reason: "alarm #\(alarm.id) \(zone.id) \(zone.name) \(alarm.condition.rawValue)",
                            alarmId: alarm.id, createdAt: e.time)))
                    }
                }
            case .reset, .cleared:
                out.append(.extend(alarmId: alarm.id, until: e.time.addingTimeInterval(keep)))
            default:
                break
            }
        }
        return out
    }
}

/// Which repairs an event asks for (site rules 3-5): an equipment fault or device comm loss when
/// raised, a failed self-test zone, a failed equipment-check item.
public enum RepairPlanner {
    public static func plan(_ events: [AlarmEvent]) -> [Repair] {
        var out: [Repair] = []
        for e in events {
            switch e.kind {
            case .raised:
                guard let a = e.alarm else { continue }
                switch a.source.kind {
                case .equipment:
                    out.append(Repair(subject: "equipment \(a.source.id)", text: "\(a.name): \(a.condition.rawValue)\(a.value.map { " (\($0))" } ?? "")",
                                      alarmId: a.id, requestedAt: e.time))
                case .device:
                    out.append(Repair(subject: "device \(a.source.id)", text: "\(a.name): \(a.condition.rawValue)\(a.value.map { " (\($0))" } ?? "")",
                                      alarmId: a.id, requestedAt: e.time))
                case .system where a.source.id.hasPrefix("recorder-"):
                    out.append(Repair(subject: "recorder \(a.source.id.dropFirst(9))", text: "\(a.name): \(a.value ?? a.condition.rawValue)",
                                      alarmId: a.id, requestedAt: e.time))
                case .zone where a.condition == .fault || a.condition == .tamper:
                    out.append(Repair(subject: "zone \(a.source.id)", text: "\(a.name): \(a.condition.rawValue)", alarmId: a.id, requestedAt: e.time))
                default:
                    continue
                }
            case .selfTestResult where e.text?.hasPrefix("fail") == true:
                out.append(Repair(subject: "zone \(e.zone ?? "?")", text: "self-test \(e.text ?? "")", alarmId: nil, requestedAt: e.time))
            case .equipmentCheck where e.text?.hasPrefix("fail") == true:
                // "fail: equipment ups-1 UPS: alarm" asks to repair "equipment ups-1" (one open repair per subject).
                let words = (e.text ?? "").dropFirst(6).split(separator: " ", maxSplits: 2)
                let subject = words.count >= 2 && ["device", "sensor", "equipment", "recorder"].contains(String(words[0]))
                    ? "\(words[0]) \(words[1])" : "equipment check"
                out.append(Repair(subject: subject, text: e.text ?? "", alarmId: nil, requestedAt: e.time))
            default:
                continue
            }
        }
        return out
    }
}
