public import Foundation
public import SiteConfig

/// The alarm lifecycle (ISA-18.2 / IEC 62682) for a whole site, as pure logic.
///
/// Inputs are condition changes from the `StateTracker`, operator commands and clock ticks,
/// each with the time; outputs are events (for the journal, the log, watchers and notifications)
/// and point writes (panel resets). No I/O and no clock of its own, so tests drive it directly.
public struct AlarmEngine: Sendable {
    public let config: SiteConfig
    /// Open alarms by id (closed ones live only in the journal).
    public private(set) var alarms: [Int: Alarm] = [:]
    public internal(set) var zoneControl: [String: ZoneControl] = [:]
    public private(set) var nextID: Int
    /// The latest known condition of each source (to re-evaluate on arm or return to service).
    public private(set) var zoneConditions: [String: ZoneCondition] = [:]
    private var openByKey: [Key: Int] = [:]
    private var recentActivations: [Key: [Date]] = [:]
    var lastTickTime: Date?
    /// The current or last self-test run.
    public internal(set) var selfTest: SelfTestRun?
    public internal(set) var lastCompleteSelfTest: Date?
    public var selfTestSettings = SelfTestSettings()
    var engineStart: Date

    struct Key: Hashable { let source: AlarmSource; let condition: AlarmCondition }

    /// Chattering: this many activations within `chatterWindow` (ISA-18.2 practice: 3 in a minute).
    public static let chatterCount = 3
    public static let chatterWindow: TimeInterval = 60
    /// The longest note, in characters (Unicode scalars); a longer one is refused, not cut.
    public static let maxNoteLength = 4000
    /// The longest shelving or out-of-service reason, in characters.
    public static let maxReasonLength = 500

    /// Builds the engine from the journal's last state (or fresh, with zones armed per schedule).
    /// `resumingFrom` is when the daemon was last alive (the journal's last event): the first
    /// tick then applies any arm/disarm boundary of the schedule that passed while it was down.
    public init(config: SiteConfig, restoring open: [Alarm] = [], zoneControl restored: [String: ZoneControl] = [:],
                nextID: Int = 1, now: Date, resumingFrom lastAlive: Date? = nil, lastCompleteSelfTest: Date? = nil) {
        self.config = config
        engineStart = now
        self.lastCompleteSelfTest = lastCompleteSelfTest
        self.nextID = max(nextID, (open.map(\.id).max() ?? 0) + 1)
        for a in open where a.isOpen {
            alarms[a.id] = a
            openByKey[Key(source: a.source, condition: a.condition)] = a.id
        }
        for z in config.zones {
            var control = restored[z.id] ?? ZoneControl(armed: ArmingSchedule.shouldBeArmed(zone: z, site: config, at: now) ?? true)
            // Fire, 24-hour, panic and tamper zones are always armed (an older journal may say otherwise).
            if !z.type.needsArming { control.armed = true }
            zoneControl[z.id] = control
        }
        lastTickTime = min(lastAlive ?? now, now)
    }

    // MARK: conditions

    public mutating func apply(_ changes: [StateChange], at now: Date) -> EngineOutput {
        var out = EngineOutput()
        for change in changes {
            switch change {
            case .zone(let zone, _, let to, let value):
                zoneConditions[zone.id] = to
                evaluateZone(zone, condition: to, value: value, now: now, into: &out)
            case .sensor(let s, _, let to, let value):
                let v = String(format: "%.1f", value)
                switch to {
                case .high: activate(AlarmSource(.sensor, s.id), .high, name: s.name, category: "sensor", priority: .high, latched: false, value: v, now: now, into: &out)
                    deactivate(AlarmSource(.sensor, s.id), .low, now: now, into: &out)
                case .low: activate(AlarmSource(.sensor, s.id), .low, name: s.name, category: "sensor", priority: .high, latched: false, value: v, now: now, into: &out)
                    deactivate(AlarmSource(.sensor, s.id), .high, now: now, into: &out)
                case .normal:
                    deactivate(AlarmSource(.sensor, s.id), .high, now: now, into: &out)
                    deactivate(AlarmSource(.sensor, s.id), .low, now: now, into: &out)
                case .unknown: break
                }
            case .equipment(let e, _, let to, let value):
                switch to {
                case .alarm: activate(AlarmSource(.equipment, e.id), .alarm, name: e.name, category: "equipment", priority: e.priority, latched: false, value: value, now: now, into: &out)
                case .normal: deactivate(AlarmSource(.equipment, e.id), .alarm, now: now, into: &out)
                case .unknown: break
                }
            case .comm(let device, _, _, let to, let detail):
                let name = config.device(device)?.name ?? device
                switch to {
                case .lost: activate(AlarmSource(.device, device), .commLoss, name: name, category: "device", priority: .high, latched: false, value: detail, now: now, into: &out)
                case .ok: deactivate(AlarmSource(.device, device), .commLoss, now: now, into: &out)
                case .unknown: break
                }
            }
        }
        return out
    }

    /// Raises or re-activates a system alarm (self-test missed, delivery failure), or returns it.
    public mutating func system(_ id: String, _ condition: AlarmCondition, name: String, active: Bool, priority: Priority = .high,
                                detail: String? = nil, at now: Date) -> EngineOutput {
        var out = EngineOutput()
        if active {
            activate(AlarmSource(.system, id), condition, name: name, category: "system", priority: priority, latched: false, value: detail, now: now, into: &out)
        } else {
            deactivate(AlarmSource(.system, id), condition, now: now, into: &out)
        }
        return out
    }

    private mutating func evaluateZone(_ zone: Zone, condition: ZoneCondition, value: String, now: Date, into out: inout EngineOutput) {
        guard condition != .unknown else { return }  // comm-lost: its one alarm is the comm loss
        if isUnderTest(zone.id) {
            testCondition(zone, condition, now: now, into: &out)
            return
        }
        let control = zoneControl[zone.id] ?? ZoneControl(armed: true)
        let source = AlarmSource(.zone, zone.id)
        if control.outOfService {
            if condition != .normal {
                out.events.append(AlarmEvent(kind: .suppressed, time: now, zone: zone.id, text: "\(condition.rawValue) while out of service"))
            }
            return
        }
        // Intrusion, fire, panic and tamper alarms all latch until an operator resets them.
        let latched = true
        // Alarm: only when armed for perimeter and entry/exit zones; the others always alarm.
        if condition == .alarm {
            if !zone.type.needsArming || control.armed {
                activate(source, .alarm, name: zone.name, category: zone.type.rawValue, priority: zone.priority, latched: latched, value: value, now: now, into: &out)
            }
        } else {
            deactivate(source, .alarm, now: now, into: &out)
        }
        // Tamper and fault are reported whatever the arming.
        if condition == .tamper {
            activate(source, .tamper, name: zone.name, category: zone.type.rawValue, priority: .high, latched: true, value: value, now: now, into: &out)
        } else {
            deactivate(source, .tamper, now: now, into: &out)
        }
        if condition == .fault {
            activate(source, .fault, name: zone.name, category: zone.type.rawValue, priority: .medium, latched: false, value: value, now: now, into: &out)
        } else {
            deactivate(source, .fault, now: now, into: &out)
        }
    }

    private mutating func activate(_ source: AlarmSource, _ condition: AlarmCondition, name: String, category: String,
                                   priority: Priority, latched: Bool, value: String?, now: Date, into out: inout EngineOutput) {
        let key = Key(source: source, condition: condition)
        if let id = openByKey[key], var alarm = alarms[id] {
            if alarm.active { return }  // still active (e.g. after a restart): no duplicate raise
            alarm.active = true
            alarm.activations += 1
            alarm.returnedAt = nil
            alarm.value = value
            alarm.updatedAt = now
            alarm.state = .unacknowledged
            alarm.acknowledgedAt = nil
            alarm.acknowledgedBy = nil
            alarm.escalations = 0
            alarm.escalationBase = now
            alarms[id] = alarm
            out.events.append(AlarmEvent(kind: .reactivated, time: now, alarm: alarm))
            noteActivation(key, id: id, now: now, into: &out)
            return
        }
        let alarm = Alarm(id: nextID, source: source, name: name, category: category, condition: condition, priority: priority,
                          state: .unacknowledged, latched: latched, active: true, requiresNote: latched,
                          raisedAt: now, updatedAt: now, value: value, escalationBase: now)
        nextID += 1
        alarms[alarm.id] = alarm
        openByKey[key] = alarm.id
        out.events.append(AlarmEvent(kind: .raised, time: now, alarm: alarm))
        noteActivation(key, id: alarm.id, now: now, into: &out)
    }

    private mutating func deactivate(_ source: AlarmSource, _ condition: AlarmCondition, now: Date, into out: inout EngineOutput) {
        let key = Key(source: source, condition: condition)
        guard let id = openByKey[key], var alarm = alarms[id], alarm.active else { return }
        alarm.active = false
        alarm.returnedAt = now
        alarm.updatedAt = now
        switch alarm.state {
        case .unacknowledged: alarm.state = .returnedUnacknowledged
        case .acknowledged: alarm.state = alarm.latched ? .awaitingReset : .normal
        default: break
        }
        store(alarm)
        out.events.append(AlarmEvent(kind: .returned, time: now, alarm: alarm))
        if alarm.state == .normal { out.events.append(AlarmEvent(kind: .cleared, time: now, alarm: alarm)) }
    }

    private mutating func noteActivation(_ key: Key, id: Int, now: Date, into out: inout EngineOutput) {
        var times = (recentActivations[key] ?? []).filter { now.timeIntervalSince($0) < Self.chatterWindow }
        times.append(now)
        recentActivations[key] = times
        if recentActivations.count > 10_000 {  // keep memory bounded: forget sources quiet for a window
            recentActivations = recentActivations.filter { $0.value.contains { now.timeIntervalSince($0) < Self.chatterWindow } }
        }
        if times.count >= Self.chatterCount, var alarm = alarms[id], !alarm.chattering {
            alarm.chattering = true
            alarms[id] = alarm
            out.events.append(AlarmEvent(kind: .chattering, time: now, alarm: alarm,
                                         text: "\(times.count) activations within \(Int(Self.chatterWindow)) s"))
        }
    }

    /// Restores the chattering history from the journal's recent `raised` and `reactivated`
    /// events, so an input chattering across a restart is still reported as chattering.
    public mutating func restoreActivations(_ events: [AlarmEvent], at now: Date) {
        for e in events where e.kind == .raised || e.kind == .reactivated {
            guard let a = e.alarm, e.time <= now, now.timeIntervalSince(e.time) < Self.chatterWindow else { continue }
            recentActivations[Key(source: a.source, condition: a.condition), default: []].append(e.time)
        }
        recentActivations = recentActivations.mapValues { $0.sorted() }
    }

    /// Moves every pending deadline and window anchor by `d` seconds (see `clockSet`).
    mutating func shiftPending(by d: TimeInterval) {
        for (id, var alarm) in alarms {
            alarm.escalationBase = (alarm.escalationBase ?? alarm.raisedAt).addingTimeInterval(d)
            if var s = alarm.shelved {
                s.until = s.until.addingTimeInterval(d)
                alarm.shelved = s
            }
            alarms[id] = alarm
        }
        recentActivations = recentActivations.mapValues { $0.map { $0.addingTimeInterval(d) } }
        if var run = selfTest, run.finishedAt == nil {
            for (zone, var test) in run.zones {
                test.deadline = test.deadline.addingTimeInterval(d)
                run.zones[zone] = test
            }
            selfTest = run
        }
        // The 26-hour self-test check is a duration too.
        lastCompleteSelfTest = lastCompleteSelfTest?.addingTimeInterval(d)
        engineStart = engineStart.addingTimeInterval(d)
    }

    /// Restored alarms whose source is no longer in the config (a zone renamed, a device removed)
    /// return, so operators can acknowledge and reset them instead of living with them forever.
    public mutating func returnRemovedSources(at now: Date) -> EngineOutput {
        var out = EngineOutput()
        let zones = Set(config.zones.map(\.id)), sensors = Set(config.sensors.map(\.id))
        let equipment = Set(config.equipment.map(\.id)), devices = Set(config.devices.map(\.id))
        for alarm in alarms.values.sorted(by: { $0.id < $1.id }) where alarm.active {
            let exists = switch alarm.source.kind {
            case .zone: zones.contains(alarm.source.id)
            case .sensor: sensors.contains(alarm.source.id)
            case .equipment: equipment.contains(alarm.source.id)
            case .device: devices.contains(alarm.source.id)
            case .system: true
            }
            if exists { continue }
            deactivate(alarm.source, alarm.condition, now: now, into: &out)
            if let i = out.events.lastIndex(where: { $0.kind == .returned && $0.alarm?.id == alarm.id }) {
                out.events[i].text = "source removed from the config"
            }
        }
        return out
    }

    /// Writes that put every zone's test output back to rest (after a restart mid-test, or a lost release).
    public var testOutputsAtRest: [PointWrite] { config.zones.compactMap { $0.test }.map { PointWrite(ref: $0, value: false) } }

    /// Re-evaluates a zone after its control changed (armed, returned to service).
    mutating func evaluateZoneAfterControl(_ zone: Zone, condition: ZoneCondition, now: Date, into out: inout EngineOutput) {
        evaluateZone(zone, condition: condition, value: "", now: now, into: &out)
    }

    /// Replaces an alarm after a command.
    mutating func replace(_ alarm: Alarm) { store(alarm) }

    /// Keeps the open set in step with an alarm's state: a closed alarm leaves memory.
    private mutating func store(_ alarm: Alarm) {
        if alarm.isOpen {
            alarms[alarm.id] = alarm
        } else {
            alarms[alarm.id] = nil
            openByKey[Key(source: alarm.source, condition: alarm.condition)] = nil
            // recentActivations outlive the alarm: an input that trips, closes and trips again
            // within the window is still chattering.
        }
    }
}
