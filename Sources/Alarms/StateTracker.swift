import Foundation
public import Polling
public import SiteConfig

/// One change worth a log line (and, in the alarm engine, an alarm event).
public enum StateChange: Sendable, Hashable {
    case zone(Zone, from: ZoneCondition, to: ZoneCondition, value: String)
    case sensor(Sensor, from: SensorBand, to: SensorBand, value: Double)
    case equipment(Equipment, from: EquipmentCondition, to: EquipmentCondition, value: String)
    case comm(device: String, bus: String, from: CommCondition, to: CommCondition, detail: String?)
}

/// Follows every zone, sensor, equipment point and device of a site through the scans and
/// reports each change. Pure (the time comes with each scan) and owned by one task.
///
/// While a device is comm-lost its points are not evaluated: the comm loss is the one alarm,
/// not a flood of false zone alarms. When it recovers, its points are re-evaluated from the
/// first good scan.
public struct StateTracker: Sendable {
    public let config: SiteConfig
    /// Each zone's condition, by zone id (built on demand; the tracker keeps them by index).
    public var zones: [String: ZoneCondition] {
        Dictionary(zip(config.zones.lazy.map(\.id), zoneState), uniquingKeysWith: { $1 })
    }
    /// The condition of `config.zones[i]`: scans look zones up by index, not by id.
    private var zoneState: [ZoneCondition]
    public private(set) var sensors: [String: SensorBand] = [:]
    public private(set) var sensorValues: [String: Double] = [:]
    public private(set) var equipment: [String: EquipmentCondition] = [:]
    public private(set) var comm: [String: CommCondition] = [:]
    /// When a sensor first crossed into a new band (for the on-delay).
    private var pendingBand: [String: (band: SensorBand, since: Date)] = [:]

    /// A device's zones in config order: index in `config.zones`, the point and the element read.
    private struct ZoneInput: Sendable {
        var zone: Int
        var point: String
        var element: Int
    }
    private let zonesByDevice: [String: [ZoneInput]]
    private let sensorsByDevice: [String: [Sensor]]
    private let equipmentByDevice: [String: [Equipment]]

    public init(config: SiteConfig) {
        self.config = config
        var byDevice: [String: [ZoneInput]] = [:]
        for (i, z) in config.zones.enumerated() {
            byDevice[z.input.device, default: []].append(ZoneInput(zone: i, point: z.input.point, element: z.input.index))
        }
        zonesByDevice = byDevice
        zoneState = Array(repeating: .unknown, count: config.zones.count)
        sensorsByDevice = Dictionary(grouping: config.sensors, by: \.input.device)
        equipmentByDevice = Dictionary(grouping: config.equipment, by: \.input.device)
        for s in config.sensors { sensors[s.id] = .unknown }
        for e in config.equipment { equipment[e.id] = .unknown }
        for d in config.devices { comm[d.id] = .unknown }
    }

    public mutating func apply(_ scan: DeviceScan) -> [StateChange] {
        var changes: [StateChange] = []
        let was = comm[scan.device] ?? .unknown
        // The same readings as the scan before, which this tracker followed (the device is up):
        // every condition is what it was. Not while a sensor's on-delay is running: that one
        // depends on the scan's time.
        if scan.sameAsLast, scan.succeeded, was == .ok, pendingBand.isEmpty { return changes }
        if scan.succeeded {
            if was != .ok {
                comm[scan.device] = .ok
                // Also from unknown: after a restart the engine may hold a comm-loss alarm from before.
                changes.append(.comm(device: scan.device, bus: scan.bus, from: was, to: .ok, detail: nil))
            }
        } else if scan.transition == .lost || (was == .unknown && scan.consecutiveFailures >= lossAfter(scan.bus)) {
            comm[scan.device] = .lost
            changes.append(.comm(device: scan.device, bus: scan.bus, from: was, to: .lost, detail: scan.error?.description))
            changes += inhibit(device: scan.device)
            return changes
        }
        guard scan.succeeded else { return changes }

        // Zones of one point are usually neighbours: the scan is looked up once per run of them.
        var point: String?, readings: [Reading]?
        for input in zonesByDevice[scan.device] ?? [] {
            if input.point != point { point = input.point; readings = scan.values[input.point]?.readings }
            guard let r = readings?[safe: input.element] else { continue }
            let i = input.zone
            let new = ConditionRules.zone(config.zones[i], reading: r)
            let old = zoneState[i]
            if new != old {
                zoneState[i] = new
                changes.append(.zone(config.zones[i], from: old, to: new, value: r.description))
            }
        }
        for sensor in sensorsByDevice[scan.device] ?? [] {
            // A failed probe often reads NaN: that is no reading, not a value inside the limits.
            guard let v = scan.values[sensor.input.point]?.readings[safe: sensor.input.index]?.numberValue, v.isFinite else { continue }
            sensorValues[sensor.id] = v
            let old = sensors[sensor.id] ?? .unknown
            let target = ConditionRules.band(sensor, value: v, current: old == .unknown ? .normal : old)
            if target == old { pendingBand[sensor.id] = nil; continue }
            // The on-delay applies to entering a limit band; returning to normal and the first value are immediate.
            if target != .normal && old != .unknown && sensor.delay > .zero {
                if let p = pendingBand[sensor.id], p.band == target {
                    guard scan.time.timeIntervalSince(p.since) >= Double(sensor.delay.components.seconds) else { continue }
                } else {
                    pendingBand[sensor.id] = (target, scan.time)
                    continue
                }
            }
            pendingBand[sensor.id] = nil
            sensors[sensor.id] = target
            changes.append(.sensor(sensor, from: old, to: target, value: v))
        }
        for e in equipmentByDevice[scan.device] ?? [] {
            guard let r = scan.values[e.input.point]?.readings[safe: e.input.index] else { continue }
            let new = ConditionRules.equipment(e, reading: r)
            let old = equipment[e.id] ?? .unknown
            if new != old {
                equipment[e.id] = new
                changes.append(.equipment(e, from: old, to: new, value: r.description))
            }
        }
        return changes
    }

    /// Marks a comm-lost device's points unknown. Zone changes to unknown are reported (the engine
    /// must not act on a stale reading, at a scheduled arm or a self-test) but never logged or alarmed.
    private mutating func inhibit(device: String) -> [StateChange] {
        var changes: [StateChange] = []
        for input in zonesByDevice[device] ?? [] {
            let i = input.zone
            if zoneState[i] != .unknown { changes.append(.zone(config.zones[i], from: zoneState[i], to: .unknown, value: "")) }
            zoneState[i] = .unknown
        }
        for s in sensorsByDevice[device] ?? [] { sensors[s.id] = .unknown; pendingBand[s.id] = nil }
        for e in equipmentByDevice[device] ?? [] { equipment[e.id] = .unknown }
        return changes
    }

    /// The wall clock was set: pending sensor on-delays move with it, so each still lasts its
    /// `delay_s` of real time (scans are stamped with the wall clock).
    public mutating func clockSet(_ step: ClockStep) {
        pendingBand = pendingBand.mapValues { ($0.band, $0.since.addingTimeInterval(step.delta)) }
    }

    private func lossAfter(_ bus: String) -> Int { config.bus(bus)?.commLossAfter ?? 3 }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
