import Alarms
import Foundation
import Journal
import SiteConfig

/// Reads the status strip from the alarm service and the journal. A journal read that fails
/// leaves its item empty (the strip says "?"), never a made-up value.
struct BoardStatusReader: Sendable {
    let alarms: AlarmService
    let now: @Sendable () -> Date

    func status() async -> BoardStatus {
        let config = alarms.config
        let open = await alarms.openAlarms
        let control = await alarms.zoneControl
        let comm = await alarms.commStates
        let fault = await alarms.journalFault
        let journal = alarms.journal
        let buses = config.buses.map { bus in
            let devices = config.devices(on: bus.id)
            return BoardStatus.BusLine(id: bus.id, devices: devices.count,
                                       lost: devices.filter { comm[$0.id] == .lost }.map { $0.name ?? $0.id })
        }
        let areas = config.areas.map { area in
            let zones = config.zones.filter { $0.area == area.id }
            let armed = zones.filter { control[$0.id]?.armed ?? false }.count
            return BoardStatus.AreaLine(id: area.id, name: area.name, armed: armed, disarmed: zones.count - armed)
        }
        let oos = control.filter(\.value.outOfService).keys.sorted().map { id in config.zone(id: id)?.name ?? id }
        let lastSelfTest = try? await journal.reading { try $0.lastCompleteSelfTest() }
        let since = now().addingTimeInterval(-15 * 60)
        var sensors: [BoardStatus.SensorLine] = []
        for s in config.sensors {
            let last = try? await journal.reading { try $0.samples(sensor: s.id, span: .minute, since: since).last }
            sensors.append(.init(id: s.id, name: s.name, value: last.flatMap { $0 }.map { ($0.mean * 10).rounded() / 10 }))
        }
        let undelivered = (try? await journal.reading { try $0.outbox(states: ["pending", "dead"], limit: 1000).count }) ?? 0
        return BoardStatus(site: config.siteName, buses: buses, areas: areas, shelved: open.filter { $0.shelved != nil }.count,
                           outOfService: oos, lastSelfTest: lastSelfTest ?? nil, sensors: sensors, undelivered: undelivered,
                           journalFault: fault.map { "\($0.failure)" })
    }
}
