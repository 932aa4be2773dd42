import Alarms
import Foundation
import Journal
import SiteConfig
import Testing

/// Free text has a documented maximum, and a note is stored once: an event's stored body does not
/// repeat every earlier note of its alarm (11 notes of 0.9 MB once made 128 MB of journal).
@Suite("Notes: a documented maximum, stored once")
struct NoteSizeTests {
    @Test("a note over the maximum is refused with a message naming the limit; one at the maximum is taken")
    func noteLimit() throws {
        var rig = try Rig()
        rig.zone("H01", .normal)
        let id = try #require(rig.zone("H01", .alarm).events.first?.alarm?.id)
        let max = AlarmEngine.maxNoteLength
        #expect(max == 4000)
        let r = refusal { try rig.command(.note(alarm: id, user: "张三", text: String(repeating: "记", count: max + 1))) }
        #expect(r?.code == .invalid)
        #expect(r?.message.contains("4000") == true, "\(r?.message ?? "-")")
        #expect(rig.engine.alarms[id]?.notes.isEmpty == true)
        #expect(try rig.command(.note(alarm: id, user: "张三", text: String(repeating: "记", count: max))).kinds == [.noted])
    }

    @Test("shelve and out-of-service reasons over the maximum are refused, naming the limit")
    func reasonLimit() throws {
        var rig = try Rig()
        rig.zone("H01", .normal)
        let id = try #require(rig.zone("H01", .alarm).events.first?.alarm?.id)
        let long = String(repeating: "x", count: AlarmEngine.maxReasonLength + 1)
        let shelve = refusal { try rig.command(.shelve(alarm: id, user: "张三", reason: long, duration: .seconds(60))) }
        #expect(shelve?.code == .invalid)
        #expect(shelve?.message.contains("\(AlarmEngine.maxReasonLength)") == true, "\(shelve?.message ?? "-")")
        let oos = refusal { try rig.command(.outOfService(zone: "Y01", user: "张三", reason: long)) }
        #expect(oos?.code == .invalid)
        #expect(oos?.message.contains("\(AlarmEngine.maxReasonLength)") == true, "\(oos?.message ?? "-")")
        #expect(rig.engine.zoneControl["Y01"]?.outOfService == false)
    }

    @Test("11 large notes make a journal that grows linearly, and read back intact from the alarm and its events")
    func notesStoredOnce() async throws {
        let tmp = try JournalTests.TempJournal()
        let journal = try tmp.open()
        var rig = try Rig()
        rig.zone("H01", .normal)
        let raised = rig.zone("H01", .alarm)
        let id = try #require(raised.events.first?.alarm?.id)
        _ = try await journal.commit(raised.events)
        let before = try journal.eventBodyBytes()
        var texts: [String] = []
        for i in 0..<11 {
            rig.advance(seconds: 1)
            let text = "\(i): " + String(repeating: "n", count: AlarmEngine.maxNoteLength - 10)
            texts.append(text)
            _ = try await journal.commit(try rig.command(.note(alarm: id, user: "张三", text: text)).events)
        }
        let notesBytes = texts.reduce(0) { $0 + $1.utf8.count }
        let grown = try journal.eventBodyBytes() - before
        #expect(grown < 3 * notesBytes, "event bodies grew \(grown) bytes for \(notesBytes) bytes of notes")

        // The alarm, its events and a restart all still give every note, in order.
        #expect(try journal.alarm(id)?.notes.map(\.text) == texts)
        #expect(try journal.loadState().openAlarms.first?.notes.map(\.text) == texts)
        let events = try journal.events(alarm: id)
        #expect(events.map(\.kind) == [.raised] + Array(repeating: .noted, count: 11))
        #expect(events.first?.alarm?.notes.isEmpty == true)
        for (k, e) in events.dropFirst().enumerated() {
            #expect(e.alarm?.notes.map(\.text) == Array(texts.prefix(k + 1)), "event #\(e.seq ?? 0) shows the notes as they were then")
            #expect(e.alarm?.notes.last?.user == "张三")
            #expect(e.alarm?.notes.last?.time == e.time)
        }
        #expect(try journal.events(after: 0).last?.alarm?.notes.count == 11)
    }
}
