import Alarms
import Foundation
import Journal
import Notify
import Records
import SiteConfig

/// The rows one engine step writes, in one SQLite transaction: its events, the alarm and zone
/// state they imply, sensor history, notifications (outbox rows), retention holds and repair requests.
struct StepBatch {
    var events: [AlarmEvent] = []
    var zones: [String: ZoneControl] = [:]
    var samples: [SampleBucket] = []
    var outbox: [OutboxInsert] = []
    var holds: [HoldChange] = []
    var repairs: [Repair] = []

    var isEmpty: Bool { events.isEmpty && samples.isEmpty && zones.isEmpty && outbox.isEmpty }

    /// Adds a later step behind this one (zone state: the later wins).
    mutating func append(_ later: StepBatch) {
        events += later.events
        zones.merge(later.zones) { $1 }
        samples += later.samples
        outbox += later.outbox
        holds += later.holds
        repairs += later.repairs
    }
}

/// What a step writes besides its events, planned from them: each target's notifications (written
/// in the same transaction as the events causing them), the retention holds of zone alarms with
/// cameras, and the repair requests of faults.
struct StepPlanner: Sendable {
    /// A notification the outbox cannot hold (it could not be encoded): it is logged instead.
    struct Unencodable {
        var target: String
        var notification: Notify.Notification
        var error: any Error
    }

    struct Plan {
        var batch: StepBatch
        /// The notifications of the step, for sending from memory while the journal cannot hold them.
        var notifications: [(target: String, notification: Notify.Notification)]
        var unencodable: [Unencodable] = []
    }

    let notifications: NotificationPlanner
    let holds: HoldPlanner

    init(config: SiteConfig) {
        notifications = NotificationPlanner(config: config)
        holds = HoldPlanner(config: config)
    }

    /// The batch of `output`, with the state of the zones it touches taken from `zoneControl`.
    func plan(_ output: EngineOutput, zoneControl: [String: ZoneControl], samples: [SampleBucket], at t: Date) -> Plan {
        let zones = Set(output.events.compactMap(\.zone))
        let planned = notifications.plan(output.events)
        var plan = Plan(batch: StepBatch(events: output.events, zones: zoneControl.filter { zones.contains($0.key) }, samples: samples),
                        notifications: planned)
        for p in planned {
            do { plan.batch.outbox.append(OutboxInsert(target: p.target, body: try NotifyJSON.encoder.encode(p.notification), createdAt: t)) } catch {
                plan.unencodable.append(Unencodable(target: p.target, notification: p.notification, error: error))
            }
        }
        plan.batch.holds = holds.plan(output.events)
        plan.batch.repairs = RepairPlanner.plan(output.events)
        return plan
    }
}
