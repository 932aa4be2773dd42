import Foundation
public import Modbus
public import SiteConfig
import Polling
import Synchronization

/// Every device of a site as a simulated slave, plus the commands that drive them.
public final class SimulatedSite: Sendable {
    public let config: SiteConfig
    public let devices: [String: SimulatedDevice]
    /// Wiring effects (a test relay opening a zone loop) are applied here, off the server thread,
    /// so no device lock is ever taken while another is held.
    private let wiring = DispatchQueue(label: "simulator.wiring")
    private let brokenTestRelays = Mutex<Set<String>>([])

    public init(config: SiteConfig) throws(ModbusError) {
        self.config = config
        var devices: [String: SimulatedDevice] = [:]
        for d in config.devices { devices[d.id] = try SimulatedDevice(device: d) }
        self.devices = devices
        installWiring()
        setQuietState()
    }

    private func installWiring() {
        for device in devices.values {
            device.afterWrite = { [weak self] d in
                guard let self else { return }
                let id = d.device.id
                self.wiring.async { self.applyTestRelays(on: id) }
            }
        }
    }

    /// Puts every zone, sensor and equipment point in its normal state, so a fresh simulator
    /// does not start in alarm (a zeroed register would read 0 °C).
    public func setQuietState() {
        for zone in config.zones { _ = try? apply(.zone(zone.id, "normal")) }
        for sensor in config.sensors {
            let mid: Double = switch (sensor.low, sensor.high) {
            case (let l?, let h?): (l + h) / 2
            case (let l?, nil): l + 10
            case (nil, let h?): h - 10
            default: 0
            }
            _ = try? apply(.sensor(sensor.id, mid))
        }
        for e in config.equipment { _ = try? apply(.equipment(e.id, alarm: false)) }
    }

    public struct CommandError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Applies one command; returns the text to show (for `get`, the value).
    @discardableResult
    public func apply(_ command: SimulatorCommand) throws(CommandError) -> String {
        switch command {
        case .say(let text): return text
        case .wait: return "ok"
        case .zone(let id, let state):
            guard let zone = config.zones.first(where: { $0.id == id }) else { throw unknown("zone", id, config.zones.map(\.id)) }
            let point = try definition(zone.input)
            if point.isBoolean {
                guard state == "normal" || state == "alarm" else {
                    throw CommandError(message: "zone \(id) is a plain contact; it can only be normal or alarm (tamper and fault need a supervised input)")
                }
                try write(zone.input, .bool(state == "alarm" ? zone.alarmWhen : !zone.alarmWhen))
            } else {
                try write(zone.input, try reading(state, point))
            }
        case .sensor(let id, let value):
            guard let s = config.sensors.first(where: { $0.id == id }) else { throw unknown("sensor", id, config.sensors.map(\.id)) }
            try write(s.input, .number(value))
        case .equipment(let id, let alarm):
            guard let e = config.equipment.first(where: { $0.id == id }) else { throw unknown("equipment", id, config.equipment.map(\.id)) }
            let point = try definition(e.input)
            let value: Reading
            switch e.alarmWhen {
            case .bool(let b): value = .bool(alarm ? b : !b)
            case .number(let n): value = .number(alarm ? n : (n == 0 ? 1 : 0))
            case .label(let l):
                let other = point.labels?.sorted { $0.key < $1.key }.first { $0.value != l }?.value ?? "0"
                value = try reading(alarm ? l : other, point)
            }
            try write(e.input, value)
        case .set(let ref, let text):
            let point = try definition(ref)
            try write(ref, try reading(text, point))
        case .fill(let deviceID, let pointName, let text):
            let point = try definition(PointRef(device: deviceID, point: pointName))
            let value = try reading(text, point)
            let d = try device(deviceID)
            d.lock.lock()
            defer { d.lock.unlock() }
            for i in 0..<point.count {
                do { try d.writeLocked(value, to: point, index: i) } catch { throw CommandError(message: "\(deviceID).\(pointName): \(error)") }
            }
        case .get(let ref):
            let point = try definition(ref)
            return devices[ref.device]!.read(point, index: ref.index).description
        case .silence(let id): try device(id).setBehaviour(.silent)
        case .exception(let id, let code): try device(id).setBehaviour(.exception(code))
        case .answer(let id): try device(id).setBehaviour(.answer)
        case .stats(let id): return "requests=\(try device(id).requestsReceived)"
        case .wiring(let zone, let broken):
            guard config.zones.contains(where: { $0.id == zone && $0.test != nil }) else {
                throw CommandError(message: "zone \(zone) has no test output")
            }
            breakTestRelay(zone: zone, broken)
        case .operatorAction(let verb, _, _, _):
            throw CommandError(message: "'\(verb)' is an operator step; it needs the daemon (watchroomd demo, or watchroomctl)")
        }
        return "ok"
    }

    /// Makes a zone's test relay do nothing (a broken loop-test wiring), for self-test tests.
    public func breakTestRelay(zone: String, _ broken: Bool = true) {
        brokenTestRelays.withLock { if broken { $0.insert(zone) } else { $0.remove(zone) } }
    }

    /// A zone's test relay, when energised, opens the zone's loop: the input reads alarm.
    private func applyTestRelays(on deviceID: String) {
        for zone in config.zones {
            guard let test = zone.test, test.device == deviceID,
                  !brokenTestRelays.withLock({ $0.contains(zone.id) }),
                  let testPoint = config.point(test), let d = devices[deviceID]
            else { continue }
            let on = (d.read(testPoint, index: test.index).numberValue ?? 0) != 0
            _ = try? apply(.zone(zone.id, on ? "alarm" : "normal"))
        }
    }

    private func device(_ id: String) throws(CommandError) -> SimulatedDevice {
        guard let d = devices[id] else { throw unknown("device", id, devices.keys.sorted()) }
        return d
    }

    private func definition(_ ref: PointRef) throws(CommandError) -> PointDefinition {
        let d = try device(ref.device)
        guard let p = d.device.profile.point(named: ref.point) else {
            throw CommandError(message: "device \(ref.device) (\(d.device.profile.model)) has no point '\(ref.point)'")
        }
        guard ref.index < p.count else { throw CommandError(message: "\(ref) is past the end of \(ref.point) (count \(p.count))") }
        return p
    }

    private func reading(_ text: String, _ point: PointDefinition) throws(CommandError) -> Reading {
        do { return try PointCodec.reading(text, for: point) } catch { throw CommandError(message: "\(point.name): \(error)") }
    }

    private func write(_ ref: PointRef, _ value: Reading) throws(CommandError) {
        let point = try definition(ref)
        do { try devices[ref.device]!.write(value, to: point, index: ref.index) } catch {
            throw CommandError(message: "\(ref): \(error)")
        }
    }

    private func unknown(_ kind: String, _ id: String, _ known: [String]) -> CommandError {
        CommandError(message: "unknown \(kind) '\(id)'; known: \(known.joined(separator: ", "))")
    }
}

