import Alarms
import Control
@testable import Daemon
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import Journal
import NIOCore
import Records
import SiteConfig
import Testing

/// The control API's routes in process: the same router the daemon serves, over a real alarm
/// service and journal, without a daemon process or a socket.
struct ControlRoutesTests {
    @Test("health and status answer; status shows the journal's last seq")
    func statusAndHealth() async throws {
        let rig = try APIRig("status")
        await rig.raise([2])
        let seq = try rig.journal.lastSeq()
        #expect(seq > 0)
        try await rig.test { client in
            try await client.execute(uri: "/v1/health", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.text == #"{"ok":true}"#)
                #expect(r.headers[.contentType] == "application/json")
            }
            try await client.execute(uri: "/v1/status", method: .get) { r in
                #expect(r.status == .ok, "\(r.text)")
                let status = try r.decoded(StatusReport.self)
                #expect(status.site == "测试")
                #expect(status.journalSeq == seq)
                #expect(status.zonesArmed == 9)
                #expect(status.alarmsByState == ["unacknowledged": 1])
                #expect(status.summary.contains("1 alarm active"), "\(status.summary)")
            }
        }
    }

    @Test("open alarms page by after (oldest first), history by before (newest first)")
    func alarmPaging() async throws {
        let rig = try APIRig("paging")
        await rig.raise([0, 1, 2])
        try await rig.test { client in
            let ids = { (query: String) async throws -> [Int] in
                try await client.execute(uri: "/v1/alarms?\(query)", method: .get) { r in
                    #expect(r.status == .ok, "\(query): \(r.text)")
                    return try r.decoded([Alarm].self).map(\.id)
                }
            }
            let page1 = try await ids("")
            #expect(page1 == [1, 2, 3], "")
            let page2 = try await ids("limit=2")
            #expect(page2 == [1, 2], "limit=2")
            let page3 = try await ids("limit=2&after=2")
            #expect(page3 == [3], "limit=2&after=2")
            let page4 = try await ids("limit=0")  // clamped to 1..1000
            #expect(page4 == [1], "limit=0")
            let page5 = try await ids("all=true&limit=2")
            #expect(page5 == [3, 2], "all=true&limit=2")
            let page6 = try await ids("all=true&limit=2&before=2")
            #expect(page6 == [1], "all=true&limit=2&before=2")
            let page7 = try await ids("all=true&limit=-1")
            #expect(page7 == [3], "all=true&limit=-1")
        }
    }

    @Test("limits and cursors that are not whole numbers are 400 invalid with the error shape")
    func badCursors() async throws {
        let rig = try APIRig("cursors")
        try await rig.test { client in
            for bad in ["/v1/alarms?after=x", "/v1/alarms?limit=1.5", "/v1/alarms?all=true&before=x", "/v1/events?limit=abc",
                        "/v1/events?after=x", "/v1/events?alarm=x", "/v1/notifications?limit=1e9", "/v1/notifications?before=-"] {
                try await client.execute(uri: bad, method: .get) { r in
                    #expect(r.status == .badRequest, "\(bad): \(r.text)")
                    #expect(r.errorBody?.code == "invalid", "\(bad): \(r.text)")
                    #expect(r.errorBody?.error.contains("must be a whole number") == true, "\(bad): \(r.text)")
                }
            }
        }
    }

    @Test("one alarm with its events; an unknown alarm is 404, a non-numeric id 400")
    func alarmDetail() async throws {
        let rig = try APIRig("detail")
        await rig.raise([4])
        try await rig.test { client in
            try await client.execute(uri: "/v1/alarms/1", method: .get) { r in
                #expect(r.status == .ok, "\(r.text)")
                let detail = try r.decoded(AlarmRoutes.AlarmDetail.self)
                #expect(detail.alarm.source.id == "Z4")
                #expect(detail.events.map(\.kind) == [.raised])
            }
            try await client.execute(uri: "/v1/alarms/99", method: .get) { r in
                #expect(r.status == .notFound)
                #expect(r.errorBody?.code == "not-found" && r.errorBody?.error == "no alarm 99", "\(r.text)")
            }
            try await client.execute(uri: "/v1/alarms/abc", method: .get) { r in
                #expect(r.status == .badRequest)
                #expect(r.errorBody?.code == "invalid", "\(r.text)")
            }
        }
    }

    @Test("an operator command is answered with its events once they are in the journal")
    func commandAnsweredAfterCommit() async throws {
        let rig = try APIRig("command")
        await rig.raise([3])
        try await rig.test { client in
            let reply = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: "张三"))
            #expect(reply.status == .ok, "\(reply.text)")
            let events = try reply.decoded(CommandResult.self).events
            #expect(events.map(\.kind) == [.acknowledged])
            // Committed before the answer: the journal holds the very event, with its seq.
            let seq = try #require(events.first?.seq)
            let stored = try rig.journal.events(after: seq - 1)
            #expect(stored.first?.seq == seq && stored.first?.kind == .acknowledged && stored.first?.user == "张三")

            // The engine's refusals keep their statuses and codes.
            let again = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: "张三"))
            #expect(again.status == .conflict && again.errorBody?.code == "illegal-transition", "\(again.text)")
            let nobody = try await client.execute(uri: "/v1/alarms/1/note", method: .post)
            #expect(nobody.status == .badRequest && nobody.errorBody?.code == "invalid", "\(nobody.text)")
            let unknown = try await client.send(.post, "/v1/zones/nosuch/arm", json: CommandBody(user: "张三"))
            #expect(unknown.status == .notFound && unknown.errorBody?.code == "not-found", "\(unknown.text)")
        }
    }

    @Test("an operator command is refused with 503 journal-unavailable while the journal cannot be written, and nothing changes")
    func commandRefusedWhenJournalFails() async throws {
        let rig = try APIRig("command-refused")
        await rig.raise([3])
        try rig.journal.simulateWriteFailure(true)
        try await rig.test { client in
            for (path, body) in [("/v1/alarms/1/ack", CommandBody(user: "张三")), ("/v1/zones/Z5/disarm", CommandBody(user: "张三"))] {
                let reply = try await client.send(.post, path, json: body)
                #expect(reply.status == .serviceUnavailable, "\(path): \(reply.text)")
                #expect(reply.errorBody?.code == "journal-unavailable", "\(path): \(reply.text)")
                #expect(reply.errorBody?.error.hasPrefix("the journal cannot be written: ") == true, "\(path): \(reply.text)")
            }
        }
        #expect(await rig.alarms.openAlarms.first { $0.id == 1 }?.state == .unacknowledged)
        #expect(await rig.alarms.zoneControl["Z5"]?.armed == true)
        #expect(rig.writes.all.isEmpty)
    }

    @Test("an unknown route, a wrong method and a body that is not JSON answer the {error, code} shape")
    func errorShape() async throws {
        let rig = try APIRig("errors")
        try await rig.test { client in
            let cases: [(HTTPRequest.Method, String, String?, HTTPResponse.Status, String)] = [
                (.get, "/v1/nope", nil, .notFound, "not-found"),
                (.get, "/", nil, .notFound, "not-found"),
                (.delete, "/v1/status", nil, .notFound, "not-found"),
                (.post, "/v1/alarms/1/ack", "{not json", .badRequest, "invalid"),
                (.post, "/v1/visitors", "[1,2]", .badRequest, "invalid"),
                (.post, "/v1/notifications/x/retry", nil, .badRequest, "invalid"),
            ]
            for (method, path, body, status, code) in cases {
                let r = try await client.execute(uri: path, method: method, body: body.map { ByteBuffer(string: $0) })
                #expect(r.status == status, "\(method) \(path): \(r.text)")
                #expect(r.errorBody?.code == code && r.errorBody?.error.isEmpty == false, "\(method) \(path): \(r.text)")
            }
            let unknown = try await client.execute(uri: "/v1/nope", method: .get)
            #expect(unknown.text == #"{"code":"not-found","error":"no such request: GET \/v1\/nope (see docs\/CONTROL-API.md)"}"#
                    || unknown.errorBody?.error == "no such request: GET /v1/nope (see docs/CONTROL-API.md)", "\(unknown.text)")
        }
    }

    @Test("duty records: missing fields, bad ids and bad times are 400 invalid; an unknown record 404; a record that cannot be written 503")
    func dutyValidation() async throws {
        let rig = try APIRig("duty")
        try await rig.test { client in
            let cases: [(HTTPRequest.Method, String, DutyBody?, HTTPResponse.Status, String, String)] = [
                (.post, "/v1/visitors", DutyBody(org: "供电局", purpose: "检修", approvedBy: "王主任"), .badRequest, "invalid", "--name is required"),
                (.post, "/v1/visitors", DutyBody(name: "赵六", org: "供电局", purpose: "检修"), .badRequest, "invalid", "--approved-by is required"),
                (.post, "/v1/visitors/x/out", nil, .badRequest, "invalid", "visitor id must be a number"),
                (.post, "/v1/visitors/42/out", nil, .notFound, "not-found", "no visitor 42"),
                (.post, "/v1/recordings/requests/x/approve", DutyBody(by: "王主任"), .badRequest, "invalid", "playback request id must be a number"),
                (.post, "/v1/recordings/requests", DutyBody(recorder: "NVR-1", fromTime: "yesterday-ish"), .badRequest, "invalid", "--from 'yesterday-ish' is not a time"),
                (.post, "/v1/repairs/1/close", DutyBody(user: "张三"), .badRequest, "invalid", "--note"),
                (.post, "/v1/handovers", DutyBody(from: "张三"), .badRequest, "invalid", "--to (who takes over) is required"),
                (.get, "/v1/equipment/log?since=soon", nil, .badRequest, "invalid", "--since 'soon' is not a time"),
                (.get, "/v1/handovers/abc", nil, .badRequest, "invalid", "handover id must be a number"),
                (.get, "/v1/handovers/9999", nil, .notFound, "not-found", "no handover 9999"),
            ]
            for (method, path, body, status, code, message) in cases {
                let r = if let body { try await client.send(method, path, json: body) } else { try await client.execute(uri: path, method: method) }
                #expect(r.status == status, "\(method) \(path): \(r.text)")
                #expect(r.errorBody?.code == code, "\(method) \(path): \(r.text)")
                #expect(r.errorBody?.error.contains(message) == true, "\(method) \(path): \(r.text)")
            }
            let visit = DutyBody(user: "张三", name: "赵六", org: "供电局", purpose: "检修", approvedBy: "王主任")
            try rig.journal.simulateWriteFailure(true)
            let refused = try await client.send(.post, "/v1/visitors", json: visit)
            #expect(refused.status == .serviceUnavailable && refused.errorBody?.code == "journal-unavailable", "\(refused.text)")
            try rig.journal.simulateWriteFailure(false)
            let signedIn = try await client.send(.post, "/v1/visitors", json: visit)
            #expect(signedIn.status == .ok, "\(signedIn.text)")
            let visitor = try signedIn.decoded(Visitor.self)
            let out = try await client.execute(uri: "/v1/visitors/\(visitor.id)/out", method: .post)
            #expect(out.status == .ok, "\(out.text)")
            let twice = try await client.execute(uri: "/v1/visitors/\(visitor.id)/out", method: .post)
            #expect(twice.status == .conflict && twice.errorBody?.code == "illegal-transition", "\(twice.text)")
        }
    }

    @Test("self-test and equipment check: a self-test without a user is 400, a report with a bad date 400, no run yet 404")
    func checks() async throws {
        let rig = try APIRig("checks")
        try await rig.test { client in
            let nobody = try await client.send(.post, "/v1/self-test", json: CommandBody(user: " "))
            #expect(nobody.status == .badRequest && nobody.errorBody?.error == "a self-test needs the user who runs it", "\(nobody.text)")
            let none = try await client.execute(uri: "/v1/self-test", method: .get)
            #expect(none.status == .notFound && none.errorBody?.code == "not-found", "\(none.text)")
            for path in ["/v1/self-test/report?date=21.11.2026", "/v1/check/equipment/report?date=tomorrow"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .badRequest && r.errorBody?.code == "invalid" && r.errorBody?.error.contains("is not YYYY-MM-DD") == true, "\(path): \(r.text)")
            }
            let check = try await client.send(.post, "/v1/check/equipment", json: CommandBody(user: "张三"))
            #expect(check.status == .ok, "\(check.text)")
            let events = try check.decoded(CommandResult.self).events
            #expect(!events.isEmpty && events.allSatisfy { $0.kind == .equipmentCheck && $0.seq != nil })
            let report = try await client.execute(uri: "/v1/check/equipment/report", method: .get)
            let reported = try report.decoded([AlarmEvent].self)
            #expect(reported.map(\.seq) == events.map(\.seq))
        }
    }

    @Test("a committed command's panel writes go to the bus workers: a self-test closes the zone's test relay")
    func commandWrites() async throws {
        let rig = try APIRig("writes")
        await rig.raise([])
        _ = await rig.alarms.takeWrites()  // the test relays put at rest on start
        try await rig.test { client in
            let reply = try await client.send(.post, "/v1/self-test", json: CommandBody(user: "张三", zones: ["P1"]))
            #expect(reply.status == .ok, "\(reply.text)")
            let events = try reply.decoded(CommandResult.self).events
            #expect(events.first?.kind == .selfTestStarted)
            #expect(rig.writes.all.map { "\($0.ref.device).\($0.ref.point)[\($0.ref.index)]=\($0.value)" } == ["di-1.relay[0]=true"])
            let again = try await client.send(.post, "/v1/self-test", json: CommandBody(user: "张三", zones: ["P1"]))
            #expect(again.status == .conflict && again.errorBody?.code == "illegal-transition", "\(again.text)")
            #expect(rig.writes.all.count == 1)
        }
    }

    @Test("the watch stream is NDJSON and ends when the daemon finishes its watchers")
    func watchEnds() async throws {
        let rig = try APIRig("watch")
        await rig.alarms.finishWatchers()
        try await rig.test { client in
            let r = try await client.execute(uri: "/v1/watch", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/x-ndjson")
            #expect(r.text.isEmpty)
        }
    }
}
