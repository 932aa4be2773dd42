import Alarms
import CoreMetrics
import Foundation
import Journal
import Prometheus

/// One scrape: the gauges set from the daemon's state as it is now, then the registry in the
/// Prometheus text format (0.0.4). Costs a few actor hops and one journal read, per scrape.
struct MetricsScrape: Sendable {
    let metrics: SiteMetrics
    let alarms: AlarmService
    let activity: AlarmActivity
    var uplink: UplinkService? = nil
    let now: @Sendable () -> Date

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func render() async -> [UInt8] {
        await update()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64 * 1024)
        metrics.registry.emit(into: &buffer)
        return buffer
    }

    func update() async {
        let t = now()
        if let uplink {
            let s = await uplink.snapshot()
            if let backlog = s.backlog { metrics.uplink.backlog.set(Double(backlog)) }
            metrics.uplink.lastConfirmedSeq.set(Double(s.lastConfirmedSeq))
            metrics.uplink.connected.set(s.connection == .connected ? 1 : 0)
        }
        let comm = await alarms.commStates
        for (device, gauge) in metrics.deviceUp { gauge.set(to: comm[device] == .ok ? 1 : 0) }

        let open = await alarms.openAlarms
        var counts: [SiteMetrics.AlarmKey: Int] = [:]
        for a in open { counts[.init(state: a.state, priority: a.priority), default: 0] += 1 }
        for (key, gauge) in metrics.alarms { gauge.set(to: Double(counts[key] ?? 0)) }
        metrics.shelved.set(to: Double(open.filter { $0.shelved != nil }.count))
        metrics.chattering.set(to: Double(open.filter(\.chattering).count))
        metrics.stale.set(to: Double(open.filter { $0.active && t.timeIntervalSince($0.raisedAt) > 86_400 }.count))

        let activity = activity.judge(at: t)
        metrics.recentAlarms.set(to: Double(activity.flood.recent))
        metrics.flood.set(to: activity.flood.inFlood ? 1 : 0)
        metrics.selfTestLast.set(to: activity.selfTest?.time.timeIntervalSince1970 ?? 0)
        metrics.selfTestFailed.set(to: Double(activity.selfTest?.failed ?? 0))
        metrics.selfTestLastComplete.set(to: activity.lastCompleteSelfTest?.timeIntervalSince1970 ?? 0)
        metrics.equipmentCheckLast.set(to: activity.equipmentCheck?.time.timeIntervalSince1970 ?? 0)
        metrics.equipmentCheckFailed.set(to: Double(activity.equipmentCheck?.failed ?? 0))

        metrics.journalStalled.set(to: await alarms.journalFault == nil ? 0 : 1)
        metrics.journalHeld.set(to: Double(await alarms.heldEvents))

        // A journal that cannot be read leaves the outbox gauges as they were (the stall gauge says why).
        if !metrics.pending.isEmpty, let backlog = try? await alarms.journal.reading({ [targets = metrics.targets] in try $0.outboxBacklog(targets: targets) }) {
            for (target, gauge) in metrics.pending { gauge.set(to: Double(backlog[target]?.pending ?? 0)) }
            for (target, gauge) in metrics.oldestPendingAge {
                gauge.set(to: backlog[target]?.oldestPending.map { max(0, t.timeIntervalSince($0)) } ?? 0)
            }
            for (target, gauge) in metrics.dead { gauge.set(to: Double(backlog[target]?.dead ?? 0)) }
        }

        if !metrics.sensors.isEmpty {
            let values = await alarms.sensorValues
            for (sensor, gauge) in metrics.sensors { gauge.set(to: values[sensor] ?? .nan) }
        }
    }
}
