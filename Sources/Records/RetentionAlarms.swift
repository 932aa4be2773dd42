public import Alarms
public import Foundation

/// How a recorder's retention check maps onto its alarms: one system alarm on `recorder-ID` per
/// condition, raised while its finding fails and returned once it passes.
public enum RetentionAlarms {
    /// One alarm the check raises or returns.
    public struct Change: Sendable, Equatable {
        public var source: String
        public var condition: AlarmCondition
        public var name: String
        public var active: Bool
        public var detail: String
    }

    /// The conditions of a recorder's retention check, each its own alarm on the recorder.
    static let conditions: [(check: String, condition: AlarmCondition, label: String)] = [
        ("at-risk", .retentionAtRisk, "录像保存期有风险 retention at risk"),
        ("disk-full", .diskFull, "录像磁盘将满 disk nearly full"),
        ("recording-stopped", .recordingStopped, "录像停止 recording stopped"),
        ("shortfall", .retentionShortfall, "录像保存不足 retention shortfall"),
        ("storage", .fault, "录像存储不可读 storage unreadable"),
    ]

    /// The alarm changes a check implies. A check that did not run this time (no disk figures,
    /// say) is left out, so its alarm stays as it was.
    public static func changes(_ status: RetentionStatus, recorderName: String) -> [Change] {
        conditions.compactMap { c in
            status.finding(c.check).map {
                Change(source: "recorder-\(status.recorder)", condition: c.condition, name: "\(recorderName) \(c.label)",
                       active: !$0.ok, detail: $0.text)
            }
        }
    }

    /// What a check that deleted footage records: its `retention-pruned` event (in the equipment
    /// log) and its log line; nil when nothing was deleted.
    public static func pruned(_ status: RetentionStatus, at t: Date) -> (event: AlarmEvent, log: String)? {
        guard status.pruned > 0 else { return nil }
        let size = RetentionCheck.size(Double(status.prunedBytes))
        let event = AlarmEvent(kind: .retentionPruned, time: t, user: "watchroomd",
                               text: "recorder \(status.recorder): deleted \(status.pruned) footage files (\(size)) older than \(status.retentionDays) days, none held")
        return (event, "recorder \(status.recorder): pruned \(status.pruned) files (\(size)) older than \(status.retentionDays) days")
    }
}
