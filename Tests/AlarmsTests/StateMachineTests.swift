import Alarms
import Foundation
import SiteConfig
import Testing

/// The ISA-18.2 state model, every state x every event, for a latched zone alarm (site rule 2:
/// intrusion and fire stay until an operator handles them and resets) and for non-latched
/// sensor and equipment alarms (they close by themselves once acknowledged and returned).
@Suite("Alarm state machine: every state x every event")
struct StateMachineTests {
    enum Subject: String, CaseIterable, CustomTestStringConvertible {
        case zone = "perimeter zone Y01 (latched)"
        case sensor = "room temperature high (not latched)"
        case equipment = "UPS on battery (not latched)"
        var latched: Bool { self == .zone }
        var testDescription: String { rawValue }
    }

    enum Start: String, CaseIterable {
        case unacknowledged, acknowledged, returnedUnacknowledged, awaitingReset
        /// Closed: handled completely, gone from the open set.
        case normal
        var state: AlarmState {
            switch self {
            case .unacknowledged: .unacknowledged
            case .acknowledged: .acknowledged
            case .returnedUnacknowledged: .returnedUnacknowledged
            case .awaitingReset: .awaitingReset
            case .normal: .normal
            }
        }
    }

    enum Event: String, CaseIterable {
        case conditionReturns = "condition returns"
        case conditionReactivates = "condition re-activates"
        case acknowledge = "ack"
        case note = "note"
        case resetWithoutNote = "reset without note"
        case resetWithNote = "reset with note"
        case shelve = "shelve 30 min"
        case unshelve = "unshelve a shelved alarm"
        case unshelveNotShelved = "unshelve when not shelved"
        case shelvingExpires = "shelving expires"
    }

    enum Outcome: Equatable {
        /// The same alarm, now in this state, and exactly these events.
        case state(AlarmState, [AlarmEvent.Kind])
        /// The alarm is closed (left the open set) with exactly these events.
        case closed([AlarmEvent.Kind])
        /// A new alarm with a new id is raised (the old one stays closed).
        case raisedAnew
        /// Refused with this code and a message containing the fragment; nothing changes.
        case refused(CommandRefusal.Code, String)
    }

    struct Cell: CustomTestStringConvertible, Sendable {
        var subject: Subject
        var start: Start
        var event: Event
        var testDescription: String { "\(subject.rawValue) · \(start.rawValue) · \(event.rawValue)" }
    }

    /// Every reachable cell: a non-latched alarm never waits for reset.
    static let cells: [Cell] = Subject.allCases.flatMap { subject in
        Start.allCases.filter { subject.latched || $0 != .awaitingReset }.flatMap { start in
            Event.allCases.map { Cell(subject: subject, start: start, event: $0) }
        }
    }

    static let notShelved = "is not shelved"
    static let noOpenAlarm = "no open alarm"

    /// The table for a latched alarm (zone: intrusion, fire, panic, 24 h, tamper).
    static func latched(_ start: Start, _ event: Event) -> Outcome {
        switch (start, event) {
        case (.unacknowledged, .conditionReturns): .state(.returnedUnacknowledged, [.returned])
        case (.unacknowledged, .conditionReactivates): .state(.unacknowledged, [])
        case (.unacknowledged, .acknowledge): .state(.acknowledged, [.acknowledged])
        case (.unacknowledged, .note): .state(.unacknowledged, [.noted])
        case (.unacknowledged, .resetWithoutNote): .refused(.illegalTransition, "acknowledge it first")
        case (.unacknowledged, .resetWithNote): .refused(.illegalTransition, "acknowledge it first")
        case (.unacknowledged, .shelve): .state(.unacknowledged, [.shelved])
        case (.unacknowledged, .unshelve): .state(.unacknowledged, [.unshelved])
        case (.unacknowledged, .unshelveNotShelved): .refused(.illegalTransition, notShelved)
        case (.unacknowledged, .shelvingExpires): .state(.unacknowledged, [.unshelved])

        case (.acknowledged, .conditionReturns): .state(.awaitingReset, [.returned])
        case (.acknowledged, .conditionReactivates): .state(.acknowledged, [])
        case (.acknowledged, .acknowledge): .refused(.illegalTransition, "already acknowledged")
        case (.acknowledged, .note): .state(.acknowledged, [.noted])
        case (.acknowledged, .resetWithoutNote): .refused(.illegalTransition, "still active")
        case (.acknowledged, .resetWithNote): .refused(.illegalTransition, "still active")
        case (.acknowledged, .shelve): .state(.acknowledged, [.shelved])
        case (.acknowledged, .unshelve): .state(.acknowledged, [.unshelved])
        case (.acknowledged, .unshelveNotShelved): .refused(.illegalTransition, notShelved)
        case (.acknowledged, .shelvingExpires): .state(.acknowledged, [.unshelved])

        case (.returnedUnacknowledged, .conditionReturns): .state(.returnedUnacknowledged, [])
        case (.returnedUnacknowledged, .conditionReactivates): .state(.unacknowledged, [.reactivated])
        case (.returnedUnacknowledged, .acknowledge): .state(.awaitingReset, [.acknowledged])
        case (.returnedUnacknowledged, .note): .state(.returnedUnacknowledged, [.noted])
        case (.returnedUnacknowledged, .resetWithoutNote): .refused(.illegalTransition, "acknowledge it first")
        case (.returnedUnacknowledged, .resetWithNote): .refused(.illegalTransition, "acknowledge it first")
        case (.returnedUnacknowledged, .shelve): .state(.returnedUnacknowledged, [.shelved])
        case (.returnedUnacknowledged, .unshelve): .state(.returnedUnacknowledged, [.unshelved])
        case (.returnedUnacknowledged, .unshelveNotShelved): .refused(.illegalTransition, notShelved)
        case (.returnedUnacknowledged, .shelvingExpires): .state(.returnedUnacknowledged, [.unshelved])

        case (.awaitingReset, .conditionReturns): .state(.awaitingReset, [])
        case (.awaitingReset, .conditionReactivates): .state(.unacknowledged, [.reactivated])
        case (.awaitingReset, .acknowledge): .refused(.illegalTransition, "already acknowledged")
        case (.awaitingReset, .note): .state(.awaitingReset, [.noted])
        case (.awaitingReset, .resetWithoutNote): .refused(.illegalTransition, "handling note is required")
        case (.awaitingReset, .resetWithNote): .closed([.reset])
        case (.awaitingReset, .shelve): .state(.awaitingReset, [.shelved])
        case (.awaitingReset, .unshelve): .state(.awaitingReset, [.unshelved])
        case (.awaitingReset, .unshelveNotShelved): .refused(.illegalTransition, notShelved)
        case (.awaitingReset, .shelvingExpires): .state(.awaitingReset, [.unshelved])

        case (.normal, .conditionReturns): .closed([])
        case (.normal, .conditionReactivates): .raisedAnew
        case (.normal, .shelvingExpires): .closed([])
        case (.normal, _): .refused(.notFound, noOpenAlarm)
        }
    }

    /// The table for a non-latched alarm (sensor limits, equipment status).
    static func nonLatched(_ start: Start, _ event: Event) -> Outcome {
        let noLatch = "does not latch"
        switch (start, event) {
        case (.unacknowledged, .conditionReturns): return .state(.returnedUnacknowledged, [.returned])
        case (.unacknowledged, .conditionReactivates): return .state(.unacknowledged, [])
        case (.unacknowledged, .acknowledge): return .state(.acknowledged, [.acknowledged])
        case (.unacknowledged, .note): return .state(.unacknowledged, [.noted])
        case (.unacknowledged, .resetWithoutNote), (.unacknowledged, .resetWithNote): return .refused(.illegalTransition, noLatch)
        case (.unacknowledged, .shelve): return .state(.unacknowledged, [.shelved])
        case (.unacknowledged, .unshelve): return .state(.unacknowledged, [.unshelved])
        case (.unacknowledged, .unshelveNotShelved): return .refused(.illegalTransition, notShelved)
        case (.unacknowledged, .shelvingExpires): return .state(.unacknowledged, [.unshelved])

        case (.acknowledged, .conditionReturns): return .closed([.returned, .cleared])
        case (.acknowledged, .conditionReactivates): return .state(.acknowledged, [])
        case (.acknowledged, .acknowledge): return .refused(.illegalTransition, "already acknowledged")
        case (.acknowledged, .note): return .state(.acknowledged, [.noted])
        case (.acknowledged, .resetWithoutNote), (.acknowledged, .resetWithNote): return .refused(.illegalTransition, noLatch)
        case (.acknowledged, .shelve): return .state(.acknowledged, [.shelved])
        case (.acknowledged, .unshelve): return .state(.acknowledged, [.unshelved])
        case (.acknowledged, .unshelveNotShelved): return .refused(.illegalTransition, notShelved)
        case (.acknowledged, .shelvingExpires): return .state(.acknowledged, [.unshelved])

        case (.returnedUnacknowledged, .conditionReturns): return .state(.returnedUnacknowledged, [])
        case (.returnedUnacknowledged, .conditionReactivates): return .state(.unacknowledged, [.reactivated])
        case (.returnedUnacknowledged, .acknowledge): return .closed([.acknowledged, .cleared])
        case (.returnedUnacknowledged, .note): return .state(.returnedUnacknowledged, [.noted])
        case (.returnedUnacknowledged, .resetWithoutNote), (.returnedUnacknowledged, .resetWithNote):
            return .refused(.illegalTransition, noLatch)
        case (.returnedUnacknowledged, .shelve): return .state(.returnedUnacknowledged, [.shelved])
        case (.returnedUnacknowledged, .unshelve): return .state(.returnedUnacknowledged, [.unshelved])
        case (.returnedUnacknowledged, .unshelveNotShelved): return .refused(.illegalTransition, notShelved)
        case (.returnedUnacknowledged, .shelvingExpires): return .state(.returnedUnacknowledged, [.unshelved])

        case (.awaitingReset, _): preconditionFailure("a non-latched alarm never waits for reset")

        case (.normal, .conditionReturns), (.normal, .shelvingExpires): return .closed([])
        case (.normal, .conditionReactivates): return .raisedAnew
        case (.normal, _): return .refused(.notFound, noOpenAlarm)
        }
    }

    // MARK: driving the engine

    static let user = "张三"

    /// Each step one minute and a second apart, so no sequence here counts as chattering.
    static func step(_ rig: inout Rig) { rig.advance(seconds: 61) }

    static func activate(_ subject: Subject, _ rig: inout Rig) -> EngineOutput {
        switch subject {
        case .zone: rig.zone("Y01", .alarm)
        case .sensor: rig.sensor("room-temp", .high, value: 41.5)
        case .equipment: rig.equipment("ups-on-battery", .alarm)
        }
    }

    static func restore(_ subject: Subject, _ rig: inout Rig) -> EngineOutput {
        switch subject {
        case .zone: rig.zone("Y01", .normal)
        case .sensor: rig.sensor("room-temp", .normal, value: 25)
        case .equipment: rig.equipment("ups-on-battery", .normal)
        }
    }

    /// Drives a fresh engine to the start state the way the site would: raise, ack, return, note, reset.
    static func drive(_ subject: Subject, to start: Start) throws -> (Rig, Int) {
        var rig = try Rig()
        // Y01's area has no schedule, so the zone is armed from the start.
        try #require(rig.engine.zoneControl["Y01"]?.armed == true)
        rig.zone("Y01", .normal)
        let raised = activate(subject, &rig)
        let id = try #require(raised.events.first { $0.kind == .raised }?.alarm?.id)
        step(&rig)
        switch start {
        case .unacknowledged: break
        case .acknowledged:
            try rig.command(.acknowledge(alarm: id, user: user))
        case .returnedUnacknowledged:
            _ = restore(subject, &rig)
        case .awaitingReset:
            try rig.command(.acknowledge(alarm: id, user: user))
            step(&rig)
            _ = restore(subject, &rig)
        case .normal:
            try rig.command(.acknowledge(alarm: id, user: user))
            step(&rig)
            _ = restore(subject, &rig)
            if subject.latched {
                step(&rig)
                try rig.command(.note(alarm: id, user: user, text: "现场检查为野猫触发,已复位"))
                try rig.command(.reset(alarm: id, user: user))
            }
        }
        step(&rig)
        if start == .normal {
            try #require(rig.engine.alarms[id] == nil, "the alarm should be closed before the event")
        } else {
            let state = try #require(rig.engine.alarms[id]?.state)
            try #require(state == start.state)
        }
        return (rig, id)
    }

    /// Applies the event; the output of its last step (the one under test).
    static func apply(_ event: Event, to subject: Subject, id: Int, _ rig: inout Rig) throws(CommandRefusal) -> EngineOutput {
        switch event {
        case .conditionReturns: return restore(subject, &rig)
        case .conditionReactivates: return activate(subject, &rig)
        case .acknowledge: return try rig.command(.acknowledge(alarm: id, user: "李四"))
        case .note: return try rig.command(.note(alarm: id, user: "李四", text: "已通知值班长"))
        case .resetWithoutNote: return try rig.command(.reset(alarm: id, user: "李四"))
        case .resetWithNote:
            try rig.command(.note(alarm: id, user: "李四", text: "巡逻确认无人员入侵"))
            return try rig.command(.reset(alarm: id, user: "李四"))
        case .shelve: return try rig.command(.shelve(alarm: id, user: "李四", reason: "维修中", duration: .seconds(1800)))
        case .unshelve:
            try rig.command(.shelve(alarm: id, user: "李四", reason: "维修中", duration: .seconds(1800)))
            step(&rig)
            return try rig.command(.unshelve(alarm: id, user: "李四"))
        case .unshelveNotShelved: return try rig.command(.unshelve(alarm: id, user: "李四"))
        case .shelvingExpires:
            // Only an open alarm can be shelved; for a closed one, time passing must change nothing.
            if rig.engine.alarms[id] != nil {
                try rig.command(.shelve(alarm: id, user: "李四", reason: "维修中", duration: .seconds(1800)))
            }
            rig.advance(seconds: 1800)
            return rig.tick()
        }
    }

    @Test("state x event", arguments: cells)
    func cell(_ cell: Cell) throws {
        let expected = cell.subject.latched ? Self.latched(cell.start, cell.event) : Self.nonLatched(cell.start, cell.event)
        var (rig, id) = try Self.drive(cell.subject, to: cell.start)
        let before = rig.engine.alarms
        let openBefore = Set(before.keys)

        let result: Result<EngineOutput, CommandRefusal>
        do throws(CommandRefusal) {
            result = .success(try Self.apply(cell.event, to: cell.subject, id: id, &rig))
        } catch {
            result = .failure(error)
        }

        switch (expected, result) {
        case (.refused(let code, let fragment), .failure(let refusal)):
            #expect(refusal.code == code)
            #expect(refusal.message.contains(fragment), "message: \(refusal.message)")
            if cell.event != .resetWithNote {  // the note before the reset is a separate, accepted step
                #expect(rig.engine.alarms == before, "a refused command must change nothing")
            }
        case (.state(let state, let kinds), .success(let out)):
            let alarm = try #require(rig.engine.alarms[id], "the alarm should still be open")
            #expect(alarm.state == state)
            #expect(out.kinds == kinds)
            #expect(out.events.allSatisfy { $0.alarm == nil || $0.alarm?.id == id })
            #expect(Set(rig.engine.alarms.keys) == openBefore, "no other alarm opens or closes")
            checkDetails(cell.event, alarm: alarm, before: before[id]!, out: out, now: rig.now)
        case (.closed(let kinds), .success(let out)):
            #expect(rig.engine.alarms[id] == nil, "the alarm should be closed")
            #expect(out.kinds == kinds)
            #expect(out.events.compactMap(\.alarm).allSatisfy { $0.id == id && $0.state == .normal })
            #expect(rig.engine.alarms.isEmpty)
        case (.raisedAnew, .success(let out)):
            #expect(out.kinds == [.raised])
            let fresh = try #require(out.events.first?.alarm)
            #expect(fresh.id > id)
            #expect(fresh.state == .unacknowledged)
            #expect(fresh.activations == 1)
            #expect(rig.engine.alarms[id] == nil)
            #expect(rig.engine.alarms[fresh.id]?.state == .unacknowledged)
        case (_, .failure(let refusal)):
            Issue.record("expected \(expected), refused: \(refusal.code) \(refusal.message)")
        case (_, .success(let out)):
            Issue.record("expected \(expected), got events \(out.kinds) and state \(rig.engine.alarms[id]?.state.rawValue ?? "closed")")
        }
    }

    /// What each accepted event must record besides the state.
    func checkDetails(_ event: Event, alarm: Alarm, before: Alarm, out: EngineOutput, now: Date) {
        switch event {
        case .acknowledge:
            #expect(alarm.acknowledgedBy == "李四")
            #expect(alarm.acknowledgedAt == now)
        case .note:
            #expect(alarm.notes.map(\.text) == before.notes.map(\.text) + ["已通知值班长"])
            #expect(alarm.notes.last?.user == "李四")
            #expect(out.events.first?.text == "已通知值班长")
        case .shelve:
            #expect(alarm.shelved?.user == "李四")
            #expect(alarm.shelved?.reason == "维修中")
            #expect(alarm.shelved?.until == now.addingTimeInterval(1800))
        case .unshelve:
            #expect(alarm.shelved == nil)
            #expect(out.events.first?.user == "李四")
        case .shelvingExpires:
            #expect(alarm.shelved == nil)
            #expect(out.events.first?.user == "shelve-expiry")
        case .conditionReturns:
            if !out.events.isEmpty {
                #expect(alarm.active == false)
                #expect(alarm.returnedAt == now)
            } else {
                #expect(alarm == before, "a second return changes nothing")
            }
        case .conditionReactivates:
            if out.events.isEmpty {
                #expect(alarm == before, "a still-active condition is not raised twice")
            } else {
                #expect(alarm.active)
                #expect(alarm.activations == before.activations + 1)
                #expect(alarm.returnedAt == nil)
                #expect(alarm.acknowledgedBy == nil, "a re-activation needs a fresh acknowledgement")
            }
        case .resetWithoutNote, .resetWithNote, .unshelveNotShelved: break
        }
    }

    @Test("the table covers every state and every event")
    func tableIsComplete() {
        // 5 states x 10 events for the latched zone, 4 x 10 for each non-latched subject.
        #expect(Self.cells.count == 5 * 10 + 2 * 4 * 10)
        #expect(Set(Self.cells.map(\.event.rawValue)).count == Event.allCases.count)
    }

    @Test("a latched alarm needs ack, a note and a reset after the input returns; every step is recorded")
    func fullLatchedLifecycle() throws {
        var rig = try Rig()
        rig.zone("F01", .normal)
        let raised = rig.zone("F01", .alarm)
        let alarm = try #require(raised.events.first?.alarm)
        #expect(raised.kinds == [.raised])
        #expect(alarm.latched && alarm.requiresNote)
        #expect(alarm.category == "fire")
        #expect(alarm.priority == .critical)
        #expect(alarm.raisedAt == rig.now)

        rig.advance(seconds: 30)
        let ackAt = rig.now
        try rig.command(.acknowledge(alarm: alarm.id, user: "张三"))
        rig.advance(seconds: 60)
        rig.zone("F01", .normal)
        #expect(rig.engine.alarms[alarm.id]?.state == .awaitingReset, "a fire alarm stays latched after its input returns")
        rig.advance(seconds: 60)
        let refused = refusal { try rig.command(.reset(alarm: alarm.id, user: "张三")) }
        #expect(refused?.message.contains("note") == true)
        try rig.command(.note(alarm: alarm.id, user: "张三", text: "现场检查为误报,已复位"))
        rig.advance(seconds: 10)
        let reset = try rig.command(.reset(alarm: alarm.id, user: "张三"))
        let closed = try #require(reset.events.first?.alarm)
        #expect(closed.state == .normal)
        #expect(closed.resetBy == "张三")
        #expect(closed.resetAt == rig.now)
        #expect(closed.acknowledgedAt == ackAt)
        #expect(closed.notes.map(\.text) == ["现场检查为误报,已复位"])
        #expect(reset.writes.isEmpty, "di-1 (generic-di-16) has no reset output")
    }

    @Test("operator commands need a user; notes need text")
    func commandsNeedUserAndText() throws {
        var rig = try Rig()
        let id = try #require(rig.zone("H01", .alarm).events.first?.alarm?.id)
        for command in [OperatorCommand.acknowledge(alarm: id, user: " "), .note(alarm: id, user: "", text: "x"),
                        .reset(alarm: id, user: ""), .shelve(alarm: id, user: "", reason: "r", duration: .seconds(60)),
                        .unshelve(alarm: id, user: ""), .arm(target: "Z01", user: ""), .disarm(target: "Z01", user: "")] {
            let r = refusal { try rig.command(command) }
            #expect(r?.code == .invalid, "\(command)")
            #expect(r?.message.contains("--user") == true, "\(command)")
        }
        let r = refusal { try rig.command(.note(alarm: id, user: "张三", text: "  \n")) }
        #expect(r?.code == .invalid)
        #expect(r?.message.contains("text") == true)
        #expect(rig.engine.alarms[id]?.state == .unacknowledged)
        #expect(rig.engine.alarms[id]?.notes.isEmpty == true)
    }

    @Test("an unknown alarm id is not found")
    func unknownAlarm() throws {
        var rig = try Rig()
        let r = refusal { try rig.command(.acknowledge(alarm: 999, user: "张三")) }
        #expect(r?.code == .notFound)
        #expect(r?.message.contains("999") == true)
    }
}
