import Alarms
import Control
@testable import Daemon
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import Journal
import Testing

/// Acting on alarms in a flood (issue 13, item 4): by alarm id or by the zone's id, several at
/// once, every unacknowledged one; and the watch stream's first screen (item 3).
@Suite("alarm targets and the watch snapshot")
struct AlarmTargetingTests {
    @Test("ack names alarms by id or by zone id, several at once, each answered on its own")
    func ackByZoneAndId() async throws {
        let rig = try APIRig("targets")
        await rig.raise([1, 2, 3])
        try await rig.test { client in
            let reply = try await client.send(.post, "/v1/commands/ack", json: AlarmCommandBatch(user: "张三", targets: ["Z1", "3", "Z7"]))
            #expect(reply.status == .ok, "\(reply.text)")
            let results = try reply.decoded(AlarmCommandOutcomes.self).results
            #expect(results.map(\.target) == ["Z1", "3", "Z7"])
            #expect(results[0].alarm == 1 && results[0].ok && results[0].events.map(\.kind) == [.acknowledged])
            #expect(results[1].alarm == 3 && results[1].ok)
            #expect(results[2].alarm == nil && results[2].code == "not-found" && results[2].error?.contains("Z7") == true)
            // Already acknowledged: refused for that alarm only, with the engine's code.
            let again = try await client.send(.post, "/v1/commands/ack", json: AlarmCommandBatch(user: "张三", targets: ["Z1", "Z2"]))
            let second = try again.decoded(AlarmCommandOutcomes.self).results
            #expect(second.map(\.ok) == [false, true] && second[0].code == "illegal-transition", "\(again.text)")
            // The single-alarm path takes a zone id too.
            let note = try await client.send(.post, "/v1/alarms/Z1/note", json: CommandBody(user: "张三", text: "现场检查无异常"))
            let noted = try note.decoded(CommandResult.self)
            #expect(note.status == .ok && noted.events.first?.alarm?.id == 1, "\(note.text)")
            let none = try await client.send(.post, "/v1/alarms/Z6/ack", json: CommandBody(user: "张三"))
            #expect(none.status == .notFound && none.errorBody?.code == "not-found", "\(none.text)")
        }
    }

    @Test("ack all unacknowledged takes only those, narrowed by priority; nothing named is a usage error")
    func bulkAck() async throws {
        let rig = try APIRig("bulk")
        await rig.raise([0, 4, 5])
        try await rig.test { client in
            _ = try await client.send(.post, "/v1/commands/ack", json: AlarmCommandBatch(user: "张三", targets: ["Z4"]))
            let low = try await client.send(.post, "/v1/commands/ack", json: AlarmCommandBatch(user: "李四", allUnacknowledged: true, priority: "low"))
            let none = try low.decoded(AlarmCommandOutcomes.self).results
            #expect(none.isEmpty, "\(low.text)")
            let all = try await client.send(.post, "/v1/commands/ack", json: AlarmCommandBatch(user: "李四", allUnacknowledged: true, priority: "high"))
            let results = try all.decoded(AlarmCommandOutcomes.self).results
            #expect(results.compactMap(\.alarm) == [1, 3] && results.allSatisfy(\.ok), "\(all.text)")
            #expect(await rig.alarms.openAlarms.allSatisfy { $0.state == .acknowledged })
            for bad in [AlarmCommandBatch(user: "李四"), AlarmCommandBatch(user: "李四", allUnacknowledged: true, priority: "urgent"),
                        AlarmCommandBatch(user: "李四", targets: ["Z1"], priority: "high"), AlarmCommandBatch(user: "李四", allUnacknowledged: true, area: "nowhere")] {
                let r = try await client.send(.post, "/v1/commands/ack", json: bad)
                #expect(r.status == .badRequest && r.errorBody?.code == "invalid", "\(r.text)")
            }
            let reset = try await client.send(.post, "/v1/commands/reset", json: AlarmCommandBatch(user: "李四", allUnacknowledged: true))
            #expect(reset.status == .badRequest, "all_unacknowledged is for ack only")
        }
    }

    @Test("the watch stream can start with the open alarms as committed, then exactly the events after them")
    func watchSnapshot() async throws {
        let rig = try APIRig("snapshot")
        await rig.raise([1, 2])
        let seq = try rig.journal.lastSeq()
        await rig.alarms.finishWatchers()
        try await rig.test { client in
            let r = try await client.execute(uri: "/v1/watch?snapshot=true", method: .get)
            let lines = r.text.split(separator: "\n").map { Data($0.utf8) }
            #expect(lines.count == 1, "\(r.text)")
            let first = try ControlJSON.decoder.decode(WatchSnapshot.Line.self, from: try #require(lines.first)).snapshot
            #expect(first.seq == seq && first.alarms.map(\.source.id) == ["Z1", "Z2"] && first.names["Z1"] == "防区1")
            // Resumed after the first raise: the events after it and nothing else.
            let raised = try #require(rig.journal.events(after: 0).first { $0.alarm?.id == 1 }?.seq)
            let resumed = try await client.execute(uri: "/v1/watch?after=\(raised)", method: .get)
            let events = try resumed.text.split(separator: "\n").map { try ControlJSON.decoder.decode(AlarmEvent.self, from: Data($0.utf8)) }
            let stored = try rig.journal.events(after: raised)
            #expect(events.map(\.seq) == stored.map(\.seq) && !events.isEmpty && events.allSatisfy { ($0.seq ?? 0) > raised })
        }
    }
}
