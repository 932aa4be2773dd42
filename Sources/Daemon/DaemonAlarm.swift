import Alarms
import Foundation

/// The daemon's own alarms (system sources), each named in one place: the journal that cannot
/// be written, and a notify target that dead-letters. (A recorder's are `RetentionAlarms`.)
struct DaemonAlarm: Sendable, Hashable {
    var source: String
    var condition: AlarmCondition
    var name: String

    static let journal = DaemonAlarm(source: "journal", condition: .fault, name: "报警日志无法写入 journal cannot be written")

    static func delivery(target: String) -> DaemonAlarm {
        DaemonAlarm(source: "notify-\(target)", condition: .deliveryFailure, name: "通知通道 \(target) 投递失败 / notify target \(target) failing")
    }
}

extension AlarmEngine {
    /// Raises (or returns) one of the daemon's own alarms.
    mutating func system(_ alarm: DaemonAlarm, active: Bool, detail: String, at now: Date) -> EngineOutput {
        system(alarm.source, alarm.condition, name: alarm.name, active: active, detail: detail, at: now)
    }
}
