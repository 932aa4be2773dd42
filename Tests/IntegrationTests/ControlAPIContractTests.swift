import Alarms
import Control
import Foundation
import Testing

/// The control API's contract under careless and hostile requests: every list is capped and paged,
/// every error is `{error, code}`, watchroomctl encodes what it sends and exits 2 on usage errors.
@Suite("control API contract", .serialized, .timeLimit(.minutes(3)))
struct ControlAPIContractTests {
    @Test("lists are capped (limit 1..1000) and paged (after, before); watchroomctl pages through")
    func paging() async throws {
        let site = try BigSite(name: "paging", devices: 1, zonesPerDevice: 4, type: "perimeter")
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        #expect(try await waitForPolls("d1", socket: site.simSocket))
        let client = ControlClient(socketPath: site.controlSocket)

        // Three alarms, then more than a page of events (each disarm and arm is one).
        for i in 0..<3 {
            _ = try await simulatorCommand("set d1.di[\(i)] true", socket: site.simSocket)
            #expect(await daemon.waitForLine { $0.contains("alarm \(i + 1) raised") } != nil)
        }
        let body = try ControlJSON.encoder.encode(CommandBody(user: "张三"))
        for i in 0..<1010 {
            let reply = try await client.exchange("POST", "/v1/zones/Z1-3/\(i % 2 == 0 ? "disarm" : "arm")", body: body)
            try #require(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
        }
        func events(_ query: String) async throws -> [AlarmEvent] {
            let reply = try await client.exchange("GET", "/v1/events?\(query)")
            #expect(reply.status == 200, "\(query): \(String(decoding: reply.body, as: UTF8.self))")
            return try ControlJSON.decoder.decode([AlarmEvent].self, from: reply.body)
        }
        #expect(try await events("limit=-1").count == 1)
        #expect(try await events("limit=0").count == 1)
        #expect(try await events("limit=5000").count == 1000)
        #expect(try await events("").count == 1000)
        // Paging by `after` reaches every event exactly once.
        var seqs: [Int64] = []
        var after: Int64 = 0
        while true {
            let page = try await events("after=\(after)&limit=300")
            seqs += page.compactMap(\.seq)
            guard let last = page.last?.seq, page.count == 300 else { break }
            after = last
        }
        #expect(seqs.count >= 1013 && seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        // watchroomctl pages through the whole journal when no --limit is given.
        let r = try await watchroomctl(["--socket", site.controlSocket, "--json", "events"])
        #expect(r.0 == 0)
        #expect(try ControlJSON.decoder.decode([AlarmEvent].self, from: Data(r.1.utf8)).compactMap(\.seq) == seqs)
        #expect(try await watchroomctl(["--socket", site.controlSocket, "events", "--limit", "5"]).1.split(separator: "\n").count == 5)

        // History pages newest first by `before`.
        func alarms(_ query: String) async throws -> [Int] {
            let reply = try await client.exchange("GET", "/v1/alarms?\(query)")
            #expect(reply.status == 200, "\(query): \(String(decoding: reply.body, as: UTF8.self))")
            return try ControlJSON.decoder.decode([Alarm].self, from: reply.body).map(\.id)
        }
        #expect(try await alarms("all=true&limit=-1") == [3])
        #expect(try await alarms("all=true&limit=2") == [3, 2])
        #expect(try await alarms("all=true&limit=2&before=2") == [1])
        #expect(try await alarms("limit=2") == [1, 2])  // open alarms, oldest first
        #expect(try await alarms("limit=2&after=2") == [3])
        let all = try await watchroomctl(["--socket", site.controlSocket, "--json", "alarms", "--all", "--limit", "3"])
        #expect(try ControlJSON.decoder.decode([Alarm].self, from: Data(all.1.utf8)).map(\.id) == [3, 2, 1])

        // Notifications take the same limit; nonsense is refused with the error shape.
        let n = try await client.exchange("GET", "/v1/notifications?limit=-1")
        #expect(n.status == 200)
        for bad in ["/v1/events?limit=abc", "/v1/events?after=x", "/v1/alarms?all=true&before=x", "/v1/notifications?limit=1e9"] {
            let reply = try await client.exchange("GET", bad)
            #expect(reply.status == 400, "\(bad)")
            #expect((try? ControlJSON.decoder.decode(ErrorBody.self, from: reply.body))?.code == "invalid", "\(bad): \(String(decoding: reply.body, as: UTF8.self))")
        }
    }

    @Test("every error has the {error, code} shape: unknown route, wrong method, bad JSON, too large, bad id")
    func errorShape() async throws {
        let site = try BigSite(name: "errors", devices: 1, zonesPerDevice: 1)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        let client = ControlClient(socketPath: site.controlSocket)
        let cases: [(String, String, Data?, Int, String)] = [
            ("GET", "/v1/nope", nil, 404, "not-found"),
            ("GET", "/", nil, 404, "not-found"),
            ("DELETE", "/v1/status", nil, 404, "not-found"),
            ("POST", "/v1/alarms/1/ack", Data("{not json".utf8), 400, "invalid"),
            ("POST", "/v1/visitors", Data("[1,2]".utf8), 400, "invalid"),
            ("POST", "/v1/alarms/1/note", Data(repeating: 0x20, count: 2 << 20), 413, "too-large"),
            ("GET", "/v1/alarms/abc", nil, 400, "invalid"),
            ("POST", "/v1/notifications/x/retry", nil, 400, "invalid"),
            ("GET", "/v1/handovers/9999", nil, 404, "not-found"),
        ]
        for (method, path, body, status, code) in cases {
            let reply = try await client.exchange(method, path, body: body)
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(reply.status == status, "\(method) \(path): \(reply.status) \(text)")
            let decoded = try? ControlJSON.decoder.decode(ErrorBody.self, from: reply.body)
            #expect(decoded?.code == code && decoded?.error.isEmpty == false, "\(method) \(path): \(text)")
        }
        #expect(daemon.process.isRunning)
    }

    @Test("watchroomctl: path segments are encoded; usage errors exit 2 in every subcommand")
    func cliContract() async throws {
        let site = try BigSite(name: "cli", devices: 1, zonesPerDevice: 2)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil)
        let ctl = ["--socket", site.controlSocket]

        // `arm "Z1-1/disarm?"` once disarmed Z1-1: it is one (unknown) zone id, nothing else.
        var r = try await watchroomctl(ctl + ["arm", "Z1-1/disarm?", "--user", "张三"])
        #expect(r.0 == 1 && r.2.contains("Z1-1/disarm?"), "\(r)")
        r = try await watchroomctl(ctl + ["out-of-service", "Z1-0/../Z1-1", "--user", "张三", "--reason", "x"])
        #expect(r.0 == 1, "\(r)")
        r = try await watchroomctl(ctl + ["--json", "status"])
        let status = try ControlJSON.decoder.decode(StatusReport.self, from: Data(r.1.utf8))
        #expect(status.zonesDisarmed.isEmpty && status.outOfService.isEmpty, "\(r.1)")

        let usage: [[String]] = [
            ["nosuch"], ["ack"], ["ack", "--user", "x"], ["ack", "1", "--priority", "low", "--user", "x"], ["show"], ["show", "1", "2"], ["shelve", "1", "--user", "x"],
            ["events", "--after", "x"], ["alarms", "--limit", "x"], ["notifications", "--state", "x"], ["notifications", "retry"],
            ["self-test", "zones", "--bogus"], ["check", "report", "--date"], ["recordings", "approve", "1"], ["media", "load", "NVR-1"],
            ["visitor", "in", "--name", "x"], ["repair", "close", "1"], ["handover", "--from", "a"], ["handover", "show", "--format", "pdf"],
            ["equipment", "log", "--bogus"], ["--bogus", "status"], ["shelve", "1", "--for", "2x", "--reason", "r", "--user", "u"],
            // A duration needs its unit: "30" is not 30 minutes nor 30 seconds.
            ["shelve", "1", "--for", "30", "--reason", "r", "--user", "u"],
            ["ack", "1"], ["note", "1", "--user", "u"],
        ]
        for args in usage {
            r = try await watchroomctl(ctl + args)
            #expect(r.0 == 2, "\(args): exit \(r.0) \(r.2)")
            #expect(!r.2.isEmpty, "\(args): no message")
        }
        r = try await watchroomctl(["--help"])
        #expect(r.0 == 0)
        r = try await watchroomctl(["ack", "--help"])
        #expect(r.0 == 0)
    }
}
