import Alarms
import Control
import Foundation
import Hummingbird
import Journal
import Modbus
import Polling
import Records
import SiteConfig

/// `GET /v1/health` and `GET /v1/status`: is the daemon answering, and the room at a glance.
struct StatusRoutes: Sendable {
    let alarms: AlarmService
    let buses: any BusStatsSource
    var now: @Sendable () -> Date = { Date() }
    var uplink: UplinkService? = nil

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        routes.get("health") { _, _ in try json(["ok": true]) }
        routes.get("status") { _, _ in try await json(status()) }
        return routes
    }

    func status() async throws -> StatusReport {
        let open = await alarms.openAlarms
        let control = await alarms.zoneControl
        let comm = await alarms.commStates
        let config = alarms.config
        var byState: [String: Int] = [:]
        for a in open { byState[a.state.rawValue, default: 0] += 1 }
        let armed = control.values.filter(\.armed).count
        let lost = comm.filter { $0.value == .lost }.map(\.key).sorted()
        let summary = await alarms.summary()
        let buses = buses.busStats().map { bus, s in
            StatusReport.BusStatus(id: bus.id, endpoint: bus.source.description, cycles: s.cycles, requests: s.requests,
                                   failures: s.failures, overruns: s.overruns)
        }
        let oos = control.filter(\.value.outOfService).sorted { $0.key < $1.key }.map { id, c in
            StatusReport.ZoneOutOfService(zone: id, name: config.zone(id: id)?.name ?? id, by: c.outOfServiceBy,
                                          reason: c.outOfServiceReason, since: c.outOfServiceAt)
        }
        // A failed read is the answer (500, saying so): a journal_seq of 0 would look like an empty journal.
        let seq: Int64
        do { seq = try await alarms.journal.reading { try $0.lastSeq() } } catch {
            throw JournalUnreadable(reading: "its last sequence number", underlying: error)
        }
        var report = StatusReport(site: config.siteName, time: now(), summary: summary, buses: buses, zonesArmed: armed,
                            zonesDisarmed: control.filter { !$0.value.armed }.map(\.key).sorted(), outOfService: oos,
                            shelved: open.filter { $0.shelved != nil }, alarmsByState: byState, commLost: lost,
                            chattering: open.filter(\.chattering).map(\.id), journalSeq: seq)
        report.uplink = uplink.map { UplinkStatus($0.snapshot(journalSeq: seq)) }
        // Inside but not approved yet: a read that fails is said, never shown as "nobody waits".
        do {
            report.visitorsAwaitingApproval = VisitorAwaitingApproval.waiting(try await alarms.journal.reading { try $0.visitors(since: nil) })
        } catch {
            throw JournalUnreadable(reading: "the visitors inside", underlying: error)
        }
        return report
    }
}
