public import Foundation
import SiteConfig

extension AlarmEngine {
    /// Applies an operator command, or refuses it with a message that says what to do instead.
    public mutating func command(_ command: OperatorCommand, at now: Date) throws(CommandRefusal) -> EngineOutput {
        var out = EngineOutput()
        switch command {
        case .acknowledge(let id, let user):
            var alarm = try open(id, user: user)
            switch alarm.state {
            case .unacknowledged: alarm.state = .acknowledged
            case .returnedUnacknowledged: alarm.state = alarm.latched ? .awaitingReset : .normal
            case .acknowledged, .awaitingReset:
                throw CommandRefusal(.illegalTransition, "alarm \(id) is already acknowledged (by \(alarm.acknowledgedBy ?? "?") at \(stamp(alarm.acknowledgedAt)))")
            case .normal: throw CommandRefusal(.illegalTransition, "alarm \(id) is closed")
            }
            alarm.acknowledgedAt = now
            alarm.acknowledgedBy = user
            alarm.updatedAt = now
            replace(alarm)
            out.events.append(AlarmEvent(kind: .acknowledged, time: now, alarm: alarm, user: user))
            if alarm.state == .normal { out.events.append(AlarmEvent(kind: .cleared, time: now, alarm: alarm, user: user)) }

        case .note(let id, let user, let text):
            var alarm = try open(id, user: user)
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw CommandRefusal(.invalid, "a note needs text (--text)") }
            // Bounded, so one note cannot bloat every log line, message and page that shows it.
            let length = trimmed.unicodeScalars.count
            guard length <= Self.maxNoteLength else {
                throw CommandRefusal(.invalid, "a note can be at most \(Self.maxNoteLength) characters (this one has \(length)); split it into several notes")
            }
            alarm.notes.append(AlarmNote(time: now, user: user, text: trimmed))
            alarm.updatedAt = now
            replace(alarm)
            out.events.append(AlarmEvent(kind: .noted, time: now, alarm: alarm, user: user, text: trimmed))

        case .reset(let id, let user):
            var alarm = try open(id, user: user)
            guard alarm.latched else {
                throw CommandRefusal(.illegalTransition, "alarm \(id) does not latch; it clears by itself once acknowledged and returned")
            }
            switch alarm.state {
            case .unacknowledged, .returnedUnacknowledged:
                throw CommandRefusal(.illegalTransition, "alarm \(id) is not acknowledged; acknowledge it first (watchroomctl ack \(id) --user NAME)")
            case .acknowledged:
                throw CommandRefusal(.illegalTransition, "alarm \(id) is still active (\(alarm.source) reads \(alarm.condition.rawValue)); reset it after the input returns to normal")
            case .normal: throw CommandRefusal(.illegalTransition, "alarm \(id) is closed")
            case .awaitingReset: break
            }
            if alarm.requiresNote && alarm.notes.isEmpty {
                throw CommandRefusal(.illegalTransition, "a handling note is required before reset: record what was found and done with watchroomctl note \(id) --user NAME --text \"...\"")
            }
            alarm.state = .normal
            alarm.resetAt = now
            alarm.resetBy = user
            alarm.updatedAt = now
            replace(alarm)
            out.events.append(AlarmEvent(kind: .reset, time: now, alarm: alarm, user: user))
            // Reset re-arms the zone and clears the panel's latch when its profile has a reset output.
            if alarm.source.kind == .zone, let zone = config.zone(id: alarm.source.id) {
                if let resetRef = Self.resetOutput(for: zone, site: config) { out.writes.append(PointWrite(ref: resetRef, value: true)) }
                if zone.type.needsArming, zoneControl[zone.id]?.armed == false {
                    setArmed(zone.id, true, user: user, now: now, into: &out)
                }
            }

        case .shelve(let id, let user, let reason, let duration):
            var alarm = try open(id, user: user)
            let reasonText = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reasonText.isEmpty else { throw CommandRefusal(.invalid, "shelving needs a reason (--reason)") }
            try Self.checkReason(reasonText, for: "a shelving reason")
            guard duration > .zero else { throw CommandRefusal(.invalid, "the shelving time must be positive") }
            guard duration <= config.maxShelve else {
                throw CommandRefusal(.invalid, "alarm \(id) can be shelved for at most \(Self.minutes(config.maxShelve)) minutes (site maximum)")
            }
            guard alarm.priority != .critical else {
                throw CommandRefusal(.illegalTransition, "alarm \(id) is \(alarm.category) (critical); life-safety alarms cannot be shelved")
            }
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            alarm.shelved = Shelving(at: now, until: now.addingTimeInterval(seconds), user: user, reason: reasonText)
            alarm.updatedAt = now
            replace(alarm)
            out.events.append(AlarmEvent(kind: .shelved, time: now, alarm: alarm, user: user, text: reasonText))

        case .unshelve(let id, let user):
            var alarm = try open(id, user: user)
            guard alarm.shelved != nil else { throw CommandRefusal(.illegalTransition, "alarm \(id) is not shelved") }
            alarm.shelved = nil
            alarm.updatedAt = now
            replace(alarm)
            out.events.append(AlarmEvent(kind: .unshelved, time: now, alarm: alarm, user: user))

        case .arm(let target, let user):
            try requireUser(user)
            // Only perimeter and entry/exit zones have an arming state; the others are always armed.
            let ids = try zoneIDs(target).filter { config.zone(id: $0)?.type.needsArming == true }
            let open = ids.filter { zoneConditions[$0] == .alarm && zoneControl[$0]?.outOfService != true }
            if !open.isEmpty {
                throw CommandRefusal(.illegalTransition, "cannot arm \(target): zone\(open.count == 1 ? "" : "s") \(open.joined(separator: ", ")) in alarm now; clear \(open.count == 1 ? "it" : "them") or take \(open.count == 1 ? "it" : "them") out of service first")
            }
            for z in ids where zoneControl[z]?.armed == false { setArmed(z, true, user: user, now: now, into: &out) }

        case .disarm(let target, let user):
            try requireUser(user)
            let ids = try zoneIDs(target)
            let disarmable = ids.filter { config.zone(id: $0)?.type.needsArming == true }
            let alwaysArmed = ids.filter { config.zone(id: $0)?.type.needsArming != true }.map { "\($0) (\(config.zone(id: $0)?.type.rawValue ?? "?"))" }
            let rule = "fire, 24-hour, panic and tamper zones are always armed"
            guard !disarmable.isEmpty else {
                throw CommandRefusal(.illegalTransition, "cannot disarm \(target): zone\(alwaysArmed.count == 1 ? "" : "s") \(alwaysArmed.joined(separator: ", ")) cannot be disarmed; \(rule)")
            }
            // The result names what stays armed, so nobody reads "perimeter disarmed" as "fire alarm off".
            let text = alwaysArmed.isEmpty ? nil : "\(alwaysArmed.joined(separator: ", ")) stay\(alwaysArmed.count == 1 ? "s" : "") armed (\(rule))"
            for z in disarmable where zoneControl[z]?.armed == true { setArmed(z, false, user: user, text: text, now: now, into: &out) }

        case .outOfService(let zoneID, let user, let reason):
            try requireUser(user)
            guard var control = zoneControl[zoneID] else { throw unknownZone(zoneID) }
            guard !control.outOfService else { throw CommandRefusal(.illegalTransition, "zone \(zoneID) is already out of service (since \(stamp(control.outOfServiceAt)) by \(control.outOfServiceBy ?? "?"))") }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw CommandRefusal(.invalid, "taking a zone out of service needs a reason (--reason)") }
            try Self.checkReason(reason, for: "an out-of-service reason")
            control.outOfService = true
            control.outOfServiceBy = user
            control.outOfServiceReason = reason
            control.outOfServiceAt = now
            zoneControl[zoneID] = control
            out.events.append(AlarmEvent(kind: .outOfService, time: now, zone: zoneID, user: user, text: reason))

        case .returnToService(let zoneID, let user):
            try requireUser(user)
            guard var control = zoneControl[zoneID], let zone = config.zone(id: zoneID) else { throw unknownZone(zoneID) }
            guard control.outOfService else { throw CommandRefusal(.illegalTransition, "zone \(zoneID) is in service") }
            control.outOfService = false
            control.outOfServiceBy = nil
            control.outOfServiceReason = nil
            control.outOfServiceAt = nil
            zoneControl[zoneID] = control
            out.events.append(AlarmEvent(kind: .returnedToService, time: now, zone: zoneID, user: user))
            if let condition = zoneConditions[zoneID] {
                var more = EngineOutput()
                evaluateZoneAfterControl(zone, condition: condition, now: now, into: &more)
                out.events += more.events
            }
        }
        return out
    }

    /// Time passing: shelving expires by itself, and area schedules arm and disarm.
    public mutating func tick(at now: Date) -> EngineOutput {
        var out = EngineOutput()
        for var alarm in alarms.values.sorted(by: { $0.id < $1.id }) {
            if let s = alarm.shelved, s.until <= now {
                alarm.shelved = nil
                alarm.updatedAt = now
                replace(alarm)
                out.events.append(AlarmEvent(kind: .unshelved, time: now, alarm: alarm, user: "shelve-expiry", text: "shelving by \(s.user) expired"))
            }
        }
        // Nobody acknowledged within the response time (site rule 11): call again, and the supervisor.
        let timeout = TimeInterval(config.ackTimeoutSeconds), repeatEvery = TimeInterval(config.escalationRepeatSeconds)
        for var alarm in alarms.values.sorted(by: { $0.id < $1.id })
        where (alarm.state == .unacknowledged || alarm.state == .returnedUnacknowledged) && alarm.shelved == nil
            && (alarm.priority == .critical || alarm.priority == .high) {
            let base = alarm.escalationBase ?? alarm.raisedAt
            let due = base.addingTimeInterval(timeout + repeatEvery * Double(alarm.escalations))
            guard now >= due else { continue }
            alarm.escalations += 1
            alarm.updatedAt = now
            replace(alarm)
            out.events.append(AlarmEvent(kind: .escalated, time: now, alarm: alarm,
                                         text: "not acknowledged within \(Int(now.timeIntervalSince(base))) s (escalation \(alarm.escalations))"))
        }
        selfTestTick(now: now, into: &out)
        if let last = lastTickTime {
            for area in config.areas {
                guard let change = ArmingSchedule.crossing(area: area, site: config, from: last, to: now) else { continue }
                for zone in config.zones where zone.area == area.id && zone.type.needsArming && zoneControl[zone.id]?.armed != change {
                    setArmed(zone.id, change, user: "schedule", now: now, into: &out)
                }
            }
        }
        lastTickTime = now
        return out
    }

    // MARK: helpers

    private mutating func setArmed(_ zoneID: String, _ armed: Bool, user: String, text: String? = nil, now: Date, into out: inout EngineOutput) {
        guard var control = zoneControl[zoneID] else { return }
        control.armed = armed
        control.armedBy = user
        control.armedAt = now
        zoneControl[zoneID] = control
        out.events.append(AlarmEvent(kind: armed ? .armed : .disarmed, time: now, zone: zoneID, user: user, text: text))
        if let zone = config.zone(id: zoneID), let armRef = Self.armOutput(for: zone, site: config) {
            out.writes.append(PointWrite(ref: armRef, value: armed))
        }
        // A scheduled arm with a zone already open raises at once; a manual one was refused above.
        if armed, let zone = config.zone(id: zoneID), let condition = zoneConditions[zoneID], condition == .alarm {
            evaluateZoneAfterControl(zone, condition: condition, now: now, into: &out)
        }
    }

    private func requireUser(_ user: String) throws(CommandRefusal) {
        if user.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CommandRefusal(.invalid, "every operator action needs the user who does it (--user NAME)")
        }
    }

    private func open(_ id: Int, user: String) throws(CommandRefusal) -> Alarm {
        try requireUser(user)
        guard let alarm = alarms[id] else {
            throw CommandRefusal(.notFound, "no open alarm \(id) (see watchroomctl alarms; closed alarms are in watchroomctl alarms --all)")
        }
        return alarm
    }

    private func zoneIDs(_ target: String) throws(CommandRefusal) -> [String] {
        if zoneControl[target] != nil { return [target] }
        let members = config.zones.filter { $0.area == target }.map(\.id)
        guard !members.isEmpty else {
            throw CommandRefusal(.notFound, "no zone or area '\(target)'; zones: \(config.zones.map(\.id).joined(separator: ", "))")
        }
        return members
    }

    static func checkReason(_ reason: String, for what: String) throws(CommandRefusal) {
        let length = reason.unicodeScalars.count
        guard length <= maxReasonLength else {
            throw CommandRefusal(.invalid, "\(what) can be at most \(maxReasonLength) characters (this one has \(length))")
        }
    }

    private func unknownZone(_ id: String) -> CommandRefusal {
        CommandRefusal(.notFound, "no zone '\(id)'; zones: \(config.zones.map(\.id).joined(separator: ", "))")
    }

    static func resetOutput(for zone: Zone, site: SiteConfig) -> PointRef? {
        guard let device = site.device(zone.input.device), let point = device.profile.point(named: "reset"), point.writable else { return nil }
        return PointRef(device: device.id, point: point.name, index: 0)
    }

    /// A supervised panel's per-zone arm output (the profile's writable `arm` point, one element per zone).
    static func armOutput(for zone: Zone, site: SiteConfig) -> PointRef? {
        guard let device = site.device(zone.input.device), let point = device.profile.point(named: "arm"), point.writable,
              zone.input.index < point.count else { return nil }
        return PointRef(device: device.id, point: point.name, index: zone.input.index)
    }

    /// A time in a refusal or an event text, as the site reads it, with the offset: the reader may
    /// be on a host in another zone ("2027-01-15 16:01:40 +08:00").
    func stamp(_ date: Date?) -> String {
        guard let date else { return "?" }
        return SiteClock.named(config.timezone).formatWithOffset(date, seconds: true)
    }

    static func minutes(_ d: Duration) -> Int { Int(d.components.seconds / 60) }
}
