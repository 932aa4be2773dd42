public import Alarms
import Access
import Foundation
import SiteConfig

/// The journal's JSON for events, alarms and zone control, written by hand: the same JSON the
/// journal's `JSONEncoder` writes (keys sorted, nil optionals left out, dates as seconds since
/// 1970, enums as raw values), read back by the same decoder, at a fraction of the cost (the
/// encoder was a fifth of the daemon's CPU in a 5,000-zone storm). The uplink's MQTT payloads are
/// written here too, in the uplink's style (`Style.uplink`).
///
/// Each member is written here by name: a field added to one of these types must be added here
/// too (JournalTests.JSONBodies compares every type with JSONEncoder's output, in both styles, and
/// fails until it is).
public enum JournalJSON {
    /// An event's body as the journal stores it: the event with its alarm without notes
    /// (`Journal.storedBody`).
    public static func body(of event: AlarmEvent) throws -> [UInt8] {
        try body(of: event, alarm: event.alarm.map { try encode($0) })
    }

    /// An alarm's row as the journal stores it, notes and all.
    public static func row(of alarm: Alarm) throws -> [UInt8] { try encode(alarm).bytes }

    /// The whole event, its alarm's notes and its seq included, as `style` spells it (the uplink's
    /// `PREFIX/events` payload).
    public static func event(_ event: AlarmEvent, style: Style) throws -> [UInt8] {
        try body(of: event, alarm: event.alarm.map { try encode($0, style: style) }, keepingNotes: true, style: style)
    }

    /// The whole alarm as `style` spells it (the uplink's retained `PREFIX/alarms/ID` payload).
    public static func alarm(_ alarm: Alarm, style: Style) throws -> [UInt8] { try encode(alarm, style: style).bytes }

    /// A zone's control row.
    public static func row(of zone: ZoneControl) throws -> [UInt8] {
        var out = JSONBuffer(capacity: 160, style: .journal)
        out.beginObject()
        out.key("armed"); out.bool(zone.armed)
        if let v = zone.armedAt { out.key("armedAt"); try out.date(v, "armedAt") }
        if let v = zone.armedBy { out.key("armedBy"); out.string(v) }
        out.key("outOfService"); out.bool(zone.outOfService)
        if let v = zone.outOfServiceAt { out.key("outOfServiceAt"); try out.date(v, "outOfServiceAt") }
        if let v = zone.outOfServiceBy { out.key("outOfServiceBy"); out.string(v) }
        if let v = zone.outOfServiceReason { out.key("outOfServiceReason"); out.string(v) }
        out.endObject()
        return out.bytes
    }

    /// The JSON one engine step writes: each event's body, and each alarm's row as the step's last
    /// event of it left it. Each alarm is written once and serves both (a storm's 5,000 raised
    /// events carry 5,000 alarms, which JSONEncoder wrote twice each).
    public struct StepBodies: Sendable {
        /// The body of each event, in the order of the events.
        public let events: [String]
        /// The row of each alarm the events carry, once per alarm.
        public let alarms: [(alarm: Alarm, body: String)]

        public init(_ events: [AlarmEvent]) throws {
            var latest: [Int: (alarm: Alarm, encoded: EncodedAlarm)] = [:]
            latest.reserveCapacity(events.count)
            self.events = try events.map { e in
                let alarm = try e.alarm.map { try JournalJSON.encode($0) }
                if let a = e.alarm, let alarm { latest[a.id] = (a, alarm) }
                return String(decoding: try JournalJSON.body(of: e, alarm: alarm), as: UTF8.self)
            }
            alarms = latest.values.map { ($0.alarm, String(decoding: $0.encoded.bytes, as: UTF8.self)) }
        }
    }

    /// An alarm written once, and where its notes array lies in it: the alarms row takes it whole,
    /// an event body takes it with `[]` in place of the notes.
    struct EncodedAlarm {
        var bytes: [UInt8]
        var notes: Range<Int>

        func spliceWithoutNotes(into out: inout JSONBuffer) {
            guard notes.count > 2 else { return out.splice(bytes[...]) }
            out.splice(bytes[..<notes.lowerBound])
            out.splice(Self.noNotes[...])
            out.splice(bytes[notes.upperBound...])
        }

        private static let noNotes: [UInt8] = [UInt8(ascii: "["), UInt8(ascii: "]")]
    }

    /// The event with `alarm` (the event's alarm, written before in the same style) in it, without
    /// its notes unless `keepingNotes`.
    static func body(of event: AlarmEvent, alarm: EncodedAlarm?, keepingNotes: Bool = false, style: Style = .journal) throws -> [UInt8] {
        var out = JSONBuffer(capacity: 256 + (alarm?.bytes.count ?? 0), style: style)
        out.beginObject()
        if let actor = event.actor { out.key("actor"); write(actor, to: &out) }
        if let alarm {
            out.key("alarm")
            if keepingNotes { out.splice(alarm.bytes[...]) } else { alarm.spliceWithoutNotes(into: &out) }
        }
        out.key("kind"); out.string(event.kind.rawValue)
        if let v = event.seq { out.key("seq"); out.integer(v) }
        if let v = event.text { out.key("text"); out.string(v) }
        out.key("time"); try out.date(event.time, "time")
        if let v = event.user { out.key("user"); out.string(v) }
        if let v = event.zone { out.key("zone"); out.string(v) }
        out.endObject()
        return out.bytes
    }

    static func encode(_ alarm: Alarm, style: Style = .journal) throws -> EncodedAlarm {
        var out = JSONBuffer(capacity: 512, style: style)
        out.beginObject()
        if let v = alarm.acknowledgedAt { out.key("acknowledgedAt"); try out.date(v, "acknowledgedAt") }
        if let v = alarm.acknowledgedBy { out.key("acknowledgedBy"); out.string(v) }
        out.key("activations"); out.integer(alarm.activations)
        out.key("active"); out.bool(alarm.active)
        out.key("category"); out.string(alarm.category)
        out.key("chattering"); out.bool(alarm.chattering)
        out.key("condition"); out.string(alarm.condition.rawValue)
        if let v = alarm.escalationBase { out.key("escalationBase"); try out.date(v, "escalationBase") }
        out.key("escalations"); out.integer(alarm.escalations)
        out.key("id"); out.integer(alarm.id)
        out.key("latched"); out.bool(alarm.latched)
        out.key("name"); out.string(alarm.name)
        out.key("notes")
        let notesStart = out.count
        out.beginArray()
        for note in alarm.notes {
            out.element()
            out.beginObject()
            out.key("text"); out.string(note.text)
            out.key("time"); try out.date(note.time, "notes.time")
            out.key("user"); out.string(note.user)
            out.endObject()
        }
        out.endArray()
        let notes = notesStart..<out.count
        out.key("priority"); out.string(alarm.priority.rawValue)
        out.key("raisedAt"); try out.date(alarm.raisedAt, "raisedAt")
        out.key("requiresNote"); out.bool(alarm.requiresNote)
        if let v = alarm.resetAt { out.key("resetAt"); try out.date(v, "resetAt") }
        if let v = alarm.resetBy { out.key("resetBy"); out.string(v) }
        if let v = alarm.returnedAt { out.key("returnedAt"); try out.date(v, "returnedAt") }
        if let s = alarm.shelved {
            out.key("shelved")
            out.beginObject()
            out.key("at"); try out.date(s.at, "shelved.at")
            out.key("reason"); out.string(s.reason)
            out.key("until"); try out.date(s.until, "shelved.until")
            out.key("user"); out.string(s.user)
            out.endObject()
        }
        out.key("source")
        out.beginObject()
        out.key("id"); out.string(alarm.source.id)
        out.key("kind"); out.string(alarm.source.kind.rawValue)
        out.endObject()
        out.key("state"); out.string(alarm.state.rawValue)
        out.key("updatedAt"); try out.date(alarm.updatedAt, "updatedAt")
        if let v = alarm.value { out.key("value"); out.string(v) }
        out.endObject()
        return EncodedAlarm(bytes: out.bytes, notes: notes)
    }

    static func write(_ actor: Actor, to out: inout JSONBuffer) {
        out.beginObject()
        if let p = actor.actingFor {
            out.key("actingFor")
            out.beginObject()
            out.key("login"); out.string(p.login)
            out.key("name"); out.string(p.name)
            out.endObject()
        }
        out.key("carrier")
        out.beginObject()
        if let v = actor.carrier.session { out.key("session"); out.string(v) }
        if let v = actor.carrier.unix { out.key("unix"); out.string(v) }
        out.endObject()
        if let v = actor.login { out.key("login"); out.string(v) }
        out.key("name"); out.string(actor.name)
        out.key("roles")
        out.beginArray()
        for role in actor.roles {
            out.element()
            out.string(role.rawValue)
        }
        out.endArray()
        out.endObject()
    }
}
