import Access
import Alarms
import Foundation
import GRDB
@testable import Journal
import SiteConfig
import Testing

extension JournalTests {
    /// The journal writes its rows with a hand-written JSON writer (JournalJSON) instead of
    /// JSONEncoder. These compare the two on every type the writer spells: a field added to Alarm,
    /// AlarmEvent, Actor or ZoneControl later and forgotten in the writer makes them fail (the
    /// encoder's synthesized Codable writes the field, the writer does not), and so does a field
    /// added and forgotten in the fully populated fixtures (`unsetFields`).
    @Suite("Journal bodies: the hand-written JSON reads as JSONEncoder's")
    struct JSONBodies {
        typealias F = JournalJSONFixtures

        /// JSON parsed and written again with sorted keys: equal when the two say the same thing.
        static func normalized(_ bytes: some Sequence<UInt8>) throws -> String {
            let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }

        /// Parsed equal, and (on this toolchain) byte for byte what the old encoder wrote, so rows
        /// written before and after the change look alike.
        static func expectSameJSON(_ writer: [UInt8], _ encoder: Data, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
            #expect(try normalized(writer) == normalized(encoder), "\(what): parsed differently", sourceLocation: sourceLocation)
            #expect(String(decoding: writer, as: UTF8.self) == String(decoding: encoder, as: UTF8.self),
                    "\(what): not byte for byte JSONEncoder's", sourceLocation: sourceLocation)
        }

        @Test("the fully populated fixtures leave no optional nil and no list empty")
        func fixturesAreFull() {
            #expect(F.unsetFields(F.fullAlarm()) == [])
            #expect(F.unsetFields(F.fullEvent()) == [])
            #expect(F.unsetFields(F.fullZoneControl()) == [])
        }

        @Test("an alarm with every field set, in every state, condition, priority and source kind, is written as JSONEncoder writes it")
        func fullAlarmMatchesEncoder() throws {
            var alarms = F.states.map { F.fullAlarm(state: $0) }
            alarms += F.conditions.map { F.fullAlarm(condition: $0) }
            alarms += Priority.allCases.map { F.fullAlarm(priority: $0) }
            alarms += F.sourceKinds.map { F.fullAlarm(kind: $0) }
            for alarm in alarms {
                try Self.expectSameJSON(try JournalJSON.row(of: alarm), try Journal.encoder.encode(alarm), "alarm \(alarm.state) \(alarm.condition)")
            }
        }

        @Test("an alarm with only what every alarm has is written as JSONEncoder writes it")
        func minimalAlarmMatchesEncoder() throws {
            let alarm = F.minimalAlarm()
            try Self.expectSameJSON(try JournalJSON.row(of: alarm), try Journal.encoder.encode(alarm), "minimal alarm")
        }

        @Test("an event body is the event with its alarm without notes, as JSONEncoder wrote storedBody")
        func eventBodyMatchesEncoder() throws {
            var events = F.eventKinds.map { F.fullEvent(kind: $0) } + F.eventKinds.map { F.minimalEvent(kind: $0) }
            var trusted = F.minimalEvent(kind: .acknowledged)
            trusted.alarm = F.minimalAlarm()
            trusted.actor = .trusted(name: "值班员", carrier: .unix("duty"))
            events.append(trusted)
            var board = trusted
            board.actor = .trusted(name: "值班员", carrier: .board(session: "abc"))
            events.append(board)
            for event in events {
                let body = try JournalJSON.body(of: event)
                try Self.expectSameJSON(body, try Journal.encoder.encode(Journal.storedBody(event)), "event \(event.kind)")
                #expect(!String(decoding: body, as: UTF8.self).contains("消防主机"), "\(event.kind): a note leaked into the event body")
            }
        }

        @Test("zone control, armed and out of service or neither, is written as JSONEncoder writes it")
        func zoneControlMatchesEncoder() throws {
            for zone in [F.fullZoneControl(), ZoneControl(armed: false)] {
                try Self.expectSameJSON(try JournalJSON.row(of: zone), try Journal.encoder.encode(zone), "zone control")
            }
        }

        /// As UplinkMessages' encoder was before JournalJSON wrote the uplink's payloads.
        static let uplinkEncoder: JSONEncoder = {
            let e = JSONEncoder()
            e.dateEncodingStrategy = .iso8601
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return e
        }()

        @Test("the uplink's event and alarm payloads are what its JSONEncoder wrote: whole events with notes and seq, ISO 8601 dates, slashes as they are")
        func uplinkStyleMatchesEncoder() throws {
            var events = F.eventKinds.map { F.fullEvent(kind: $0) } + F.eventKinds.map { F.minimalEvent(kind: $0) }
            var trusted = F.minimalEvent(kind: .acknowledged)
            trusted.alarm = F.minimalAlarm()
            trusted.actor = .trusted(name: "值班员", carrier: .unix("duty"))
            events.append(trusted)
            for event in events {
                try Self.expectSameJSON(try JournalJSON.event(event, style: .uplink), try Self.uplinkEncoder.encode(event), "uplink event \(event.kind)")
            }
            for alarm in F.states.map({ F.fullAlarm(state: $0) }) + [F.minimalAlarm()] {
                try Self.expectSameJSON(try JournalJSON.alarm(alarm, style: .uplink), try Self.uplinkEncoder.encode(alarm), "uplink alarm \(alarm.state)")
            }
            let payload = String(decoding: try JournalJSON.event(F.fullEvent(), style: .uplink), as: UTF8.self)
            #expect(payload.contains("消防主机") && payload.contains("F01/") && payload.contains("\"seq\":9000000001"))
        }

        @Test("uplink dates are spelled as JSONEncoder's ISO 8601 across calendar edges, before 1970, and with fractions cut off")
        func uplinkDatesMatchEncoder() throws {
            let seconds: [Double] = [0, -0.5, -1, -86_400, -86_401, 1_764_601_234, 1_764_601_234.999, 1_764_601_199.999_999, 951_782_400.5,
                                     951_868_799, 951_868_800, -2_203_891_200, -2_208_988_800, 4_107_542_400, 4_102_444_799,
                                     -12_219_292_800, -12_219_292_801, -12_219_292_800.5, -62_135_596_800, 253_402_300_799.9, 253_402_300_800,
                                     Date().timeIntervalSince1970]
            for s in seconds {
                var event = F.minimalEvent()
                event.time = Date(timeIntervalSince1970: s)
                try Self.expectSameJSON(try JournalJSON.event(event, style: .uplink), try Self.uplinkEncoder.encode(event), "uplink time \(s)")
            }
        }

        @Test("the journal's decoder reads the writer's bytes back to the value written, tricky strings and fractional seconds included")
        func roundTrip() throws {
            for alarm in [F.fullAlarm(), F.minimalAlarm()] {
                #expect(try Journal.decoder.decode(Alarm.self, from: Data(JournalJSON.row(of: alarm))) == alarm)
            }
            for event in [F.fullEvent(), F.minimalEvent()] {
                #expect(try Journal.decoder.decode(AlarmEvent.self, from: Data(JournalJSON.body(of: event))) == Journal.storedBody(event))
            }
            for zone in [F.fullZoneControl(), ZoneControl(armed: true)] {
                #expect(try Journal.decoder.decode(ZoneControl.self, from: Data(JournalJSON.row(of: zone))) == zone)
            }
            let decoded = try Journal.decoder.decode(Alarm.self, from: Data(JournalJSON.row(of: F.fullAlarm())))
            #expect(decoded.notes.map(\.text) == F.fullAlarm().notes.map(\.text))
            #expect(decoded.name.unicodeScalars.elementsEqual(F.fullAlarm().name.unicodeScalars))
        }

        @Test("any time reads back as the same Date as JSONEncoder's seconds did, whatever its fraction")
        func timesReadBackAsTheEncodersDid() throws {
            let seconds: [Double] = [0, -1.5, 1_764_601_234, 1_764_601_234.123456, 1_764_601_234.000001, 0.1, 1e-7, 4_102_444_800.999999,
                                     Date().timeIntervalSince1970, Date.distantPast.timeIntervalSince1970, Date.distantFuture.timeIntervalSince1970]
            for s in seconds {
                var event = F.minimalEvent()
                event.time = Date(timeIntervalSince1970: s)
                let mine = try Journal.decoder.decode(AlarmEvent.self, from: Data(JournalJSON.body(of: event)))
                let theirs = try Journal.decoder.decode(AlarmEvent.self, from: Journal.encoder.encode(event))
                #expect(mine.time == theirs.time, "\(s)")
                #expect(mine.time == event.time, "\(s) seconds since 1970 read back as \(mine.time.timeIntervalSince1970)")
            }
        }

        @Test("a time JSON cannot hold is refused with the field it was in, not written")
        func nonFiniteTimeIsRefused() throws {
            var alarm = F.minimalAlarm()
            alarm.returnedAt = Date(timeIntervalSince1970: .nan)
            #expect(throws: JournalJSON.UnwritableTime.self) { try JournalJSON.row(of: alarm) }
            do {
                _ = try JournalJSON.row(of: alarm)
            } catch {
                #expect("\(error)".contains("returnedAt"))
            }
        }

        @Test("a committed alarm reads back whole from its row and without notes from its event, in a real journal file")
        func commitWritesRowAndBody() async throws {
            let tmp = try TempJournal()
            let journal = try tmp.open()
            var first = F.minimalEvent(kind: .raised)
            first.alarm = F.fullAlarm()
            first.alarm?.notes = []
            first.alarm?.state = .unacknowledged
            let second = F.fullEvent(kind: .acknowledged)  // the same alarm, with notes, later in the step
            var armed = F.minimalEvent(kind: .armed)
            armed.zone = "Y01"
            let numbered = try await journal.commit([first, second, armed], zoneControl: ["Y01": F.fullZoneControl(), "Y02": ZoneControl(armed: false)])
            #expect(numbered.compactMap(\.seq).count == 3)

            // The row is the last state in the step, notes and all.
            #expect(try journal.alarm(4711) == second.alarm)
            // No `noted` events were committed, so notes read back from an event would have come from its body.
            let read = try journal.events()
            #expect(read.count == 3)
            #expect(read[0].alarm == first.alarm)
            #expect(read[1].alarm?.notes == [])
            #expect(read[1].actor == second.actor && read[1].text == second.text && read[1].time == second.time)
            var withoutNotes = second.alarm
            withoutNotes?.notes = []
            #expect(read[1].alarm == withoutNotes)
            #expect(read[2].zone == "Y01" && read[2].alarm == nil)

            let state = try journal.loadState()
            #expect(state.openAlarms == [second.alarm!])
            #expect(state.zoneControl == ["Y01": F.fullZoneControl(), "Y02": ZoneControl(armed: false)])
        }

        @Test("a body as the old JSONEncoder wrote it, escaped slashes and notes inside, still reads back")
        func oldEncoderBodyReadsBack() async throws {
            let tmp = try TempJournal()
            let journal = try tmp.open()
            // Verbatim as Journal.encoder wrote it before notes were stored once (so notes in the body).
            let body = #"{"alarm":{"activations":1,"active":true,"category":"fire","chattering":false,"condition":"alarm","escalationBase":1764601200.5,"escalations":0,"id":7,"latched":true,"name":"3F 烟感\/水汽 \"A\"","notes":[{"text":"现场确认\n为水汽","time":1764601260.25,"user":"张三"}],"priority":"critical","raisedAt":1764601200.5,"requiresNote":true,"source":{"id":"F01","kind":"zone"},"state":"acknowledged","updatedAt":1764601260.25},"kind":"noted","text":"现场确认\n为水汽","time":1764601260.25,"user":"张三"}"#
            try await journal.db.write { db in
                try db.execute(sql: "INSERT INTO events (time, kind, alarm_id, zone, user, text, body) VALUES (?, 'noted', 7, 'F01', '张三', ?, ?)",
                               arguments: [1_764_601_260.25, "现场确认\n为水汽", body])
            }
            let read = try #require(try journal.events().first)
            #expect(read.kind == .noted && read.user == "张三" && read.time == Date(timeIntervalSince1970: 1_764_601_260.25))
            #expect(read.alarm?.name == "3F 烟感/水汽 \"A\"")
            #expect(read.alarm?.notes == [AlarmNote(time: Date(timeIntervalSince1970: 1_764_601_260.25), user: "张三", text: "现场确认\n为水汽")])
            #expect(read.alarm?.escalationBase == Date(timeIntervalSince1970: 1_764_601_200.5))
            #expect(read.alarm?.acknowledgedAt == nil && read.alarm?.shelved == nil)
        }
    }
}
