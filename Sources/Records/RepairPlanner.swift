public import Alarms
public import Foundation

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
