import TestClock
import Alarms
import Foundation
import Journal
import Notify
import SiteConfig
import Synchronization
import Testing

/// Twelve 24-hour zones (always alarm, high): enough notifications to see order and retries.
let outageZones = (1...12).map { TestZone(id: String(format: "T%02d", $0), name: "测试防区\($0)号", type: "24h") }

/// One signed standard target, no grouping, retries capped at 1 s (so a Retry-After longer than that shows).
func standardTargetYAML(_ base: String, _ dir: URL, extra: String = "") throws -> String {
    """
    notify:
      - {id: std, format: standard, url: "\(base)/hooks/standard", secret_file: "\(try secretFile(stdSecret, named: "std.secret", in: dir))", group_window_s: 0, retry_max_s: 1, timeout_s: 5}
    \(extra)
    """
}

/// Answers `failure` to the first `n` requests, then 200.
func failFirst(_ n: Int, with failure: Reply) -> Receiver.Handler {
    { r in r.index < n ? failure : .ok }
}

/// Per webhook-id: how often it arrived, and how often it was answered 200.
struct DeliveryLedger {
    var attempts: [String: Int] = [:]
    var successes: [String: Int] = [:]
    /// Ids in the order of their first 200.
    var firstDelivered: [String] = []
    /// Every request's id, in arrival order.
    var arrivals: [String] = []

    init(_ requests: [ReceivedRequest]) {
        for r in requests {
            let id = r.headers["webhook-id"] ?? "(none)"
            arrivals.append(id)
            attempts[id, default: 0] += 1
            if r.status == 200 {
                if successes[id] == nil { firstDelivered.append(id) }
                successes[id, default: 0] += 1
            }
        }
    }

    var duplicates: Int { successes.values.reduce(0) { $0 + max(0, $1 - 1) } }
}

/// Which request paths a handler has seen.
final class SeenPaths: Sendable {
    private let paths = Mutex<Set<String>>([])
    /// True the first time `path` is seen.
    func first(_ path: String) -> Bool { paths.withLock { $0.insert(path).inserted } }
}

/// The outbox row id in "wr-ID".
func rowID(_ messageID: String) -> Int64? { Int64(messageID.dropFirst(3)) }

@Suite("Delivery through the outbox", .timeLimit(.minutes(3)))
struct DeliveryTests {
    @Test("outage: 503s, a restart of the service, then recovery: every notification exactly once per id, in order",
          arguments: [false, true])
    func outageThenRecovery(retryAfter: Bool) async throws {
        let failure = Reply(status: 503, headers: retryAfter ? ["Retry-After": "1"] : [:], body: "unavailable")
        try await withHarness(zones: outageZones, handler: failFirst(6, with: failure),
                              notify: { try standardTargetYAML($0, $1) }) { h in
            try h.startDelivery()
            // Notifications committed while the receiver is down, in three commits.
            for z in ["T01", "T02", "T03", "T04"] { try await h.commit(try h.rig.trip(z, at: dayTime)) }
            #expect(await eventually { h.receiver.requests.count >= 2 })
            // The daemon is stopped and started again (a new journal connection, a new service): the outbox is on disk.
            await h.stopDelivery()
            h.journal = try await openJournal(h.journal.path)
            try await h.commit(try h.rig.trip(["T05", "T06", "T07", "T08"], at: dayTime.addingTimeInterval(5)))
            try h.startDelivery()
            for z in ["T09", "T10", "T11", "T12"] { try await h.commit(try h.rig.trip(z, at: dayTime.addingTimeInterval(10))) }
            #expect(try await h.waitUntilSettled(timeout: .seconds(60)))

            let rows = try await allOutbox(h.journal)
            #expect(rows.count == 12)
            #expect(rows.allSatisfy { $0.state == "delivered" }, "\(rows.map { "\($0.id):\($0.state)" })")
            let ledger = DeliveryLedger(h.receiver.requests)
            let expected = rows.map { "wr-\($0.id)" }
            // None missing, none delivered twice.
            #expect(Set(ledger.successes.keys) == Set(expected))
            #expect(ledger.duplicates == 0, "duplicate deliveries by id: \(ledger.successes.filter { $0.value > 1 })")
            // In order: first deliveries by increasing outbox id, and no row sent while an earlier one waited.
            #expect(ledger.firstDelivered == expected)
            let arrivalIDs = ledger.arrivals.compactMap(rowID)
            #expect(arrivalIDs == arrivalIDs.sorted(), "requests in outbox order: \(ledger.arrivals)")
            // The receiver was really down for a while: the head was retried with the same id.
            #expect(h.receiver.requests.filter { $0.status == 503 }.count == 6)
            #expect(ledger.attempts[expected[0]] ?? 0 >= 2)
            // Each retry is freshly timestamped and signed, and verifies.
            for r in h.receiver.requests {
                let ok = SpecVerify.standardWebhooks(id: r.headers["webhook-id"] ?? "", timestamp: r.headers["webhook-timestamp"] ?? "",
                                                     body: r.body, signatureHeader: r.headers["webhook-signature"] ?? "", secret: stdSecret)
                #expect(ok, "request \(r.index) verifies")
            }
            // Whatever the service reported while the receiver was down, it reports std healthy once it delivers again.
            let calls = h.hooks.all.filter { $0.target == "std" }
            if let lastFailing = calls.lastIndex(where: { $0.failing }) {
                #expect(calls[(lastFailing + 1)...].contains { !$0.failing }, "failing reported, recovery not: \(calls)")
            }
            // The delivered rows say so, with their attempts counted.
            let head = try #require(rows.first)
            #expect(head.deliveredAt != nil)
            #expect(head.lastError == nil)
            #expect(head.attempts >= 2)
        }
    }

    @Test("Retry-After longer than the backoff cap is honoured (503 and 429)", arguments: [503, 429])
    func retryAfterHonoured(status: Int) async throws {
        let failure = Reply(status: status, headers: ["Retry-After": "2"], body: "")
        // On a manual clock the waits are the service's own, measured where the receiver stamps arrivals:
        // a loaded machine cannot stretch them.
        let clock = ManualClock()
        try await withHarness(handler: failFirst(2, with: failure), clock: clock, notify: { try standardTargetYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(try await drive(clock) { try await outboxCount(h.journal, "pending") == 0 })
            let reqs = h.receiver.requests
            try #require(reqs.count == 3, "two refusals and the delivery: \(reqs.map(\.status))")
            let t = reqs.compactMap(\.clockTime)
            try #require(t.count == 3)
            // retry_max_s is 1: only the receiver's Retry-After (2 s) explains gaps of 2 s.
            for i in 1..<3 {
                let gap = (t[i] - t[i - 1]).secondsValue
                #expect(gap >= 1.9, "attempt \(i) came \(gap) s after the previous one; Retry-After said 2")
                #expect(gap < 5, "attempt \(i) came \(gap) s after the previous one")
            }
            #expect(Set(reqs.compactMap { $0.headers["webhook-id"] }).count == 1, "the same id on every retry")
        }
    }

    @Test("without Retry-After the retries back off within retry_max_s")
    func backoffWithoutRetryAfter() async throws {
        let clock = ManualClock()
        try await withHarness(handler: failFirst(4, with: Reply(status: 500)), clock: clock,
                              notify: { try standardTargetYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(try await drive(clock) { try await outboxCount(h.journal, "pending") == 0 })
            let reqs = h.receiver.requests
            try #require(reqs.count == 5)
            let t = reqs.compactMap(\.clockTime)
            try #require(t.count == 5)
            for i in 1..<reqs.count {
                let gap = (t[i] - t[i - 1]).secondsValue
                // Jittered in [0.5, 1] x min(cap, base x 2^attempt): never sooner than half the first step, never beyond the cap.
                #expect(gap >= 0.45 && gap < 2.0, "gap \(i): \(gap) s")
            }
            let row = try #require(try await allOutbox(h.journal).first)
            #expect(row.state == "delivered")
            #expect(row.attempts == 5)
        }
    }

    @Test("a 400 dead-letters the row, calls the failure hook, the others still go out; requeue puts it back")
    func badRequestDeadLetters() async throws {
        // std refuses the notification about T02 for good; am (a second target) accepts everything.
        let refuseT02: Receiver.Handler = { r in
            r.path == pathStandard && r.bodyText.contains("\"source_id\":\"T02\"")
                ? Reply(status: 400, body: #"{"error":"unknown field"}"#) : .ok
        }
        try await withHarness(zones: outageZones, handler: refuseT02, notify: { base, dir in
            try standardTargetYAML(base, dir, extra: "  - {id: am, format: alertmanager, url: \"\(base)/hooks/alertmanager\", group_window_s: 0}")
        }) { h in
            try h.startDelivery()
            for z in ["T01", "T02", "T03", "T04"] { try await h.commit(try h.rig.trip(z, at: dayTime)) }
            #expect(try await h.waitUntilSettled())

            let std = try await allOutbox(h.journal).filter { $0.target == "std" }
            try #require(std.count == 4)
            #expect(std.map(\.state) == ["delivered", "dead", "delivered", "delivered"])
            let dead = std[1]
            #expect(dead.lastError?.contains("400") == true, "last_error: \(dead.lastError ?? "nil")")
            #expect(dead.deliveredAt == nil)
            let deadRows = try await blocking { [journal = h.journal] in try journal.outbox(states: ["dead"]) }
            #expect(deadRows.map(\.id) == [dead.id])
            // Later rows went out after the refusal.
            let stdRequests = h.receiver.requests(path: pathStandard)
            let refusedAt = try #require(stdRequests.firstIndex { $0.status == 400 })
            #expect(stdRequests[(refusedAt + 1)...].filter { $0.status == 200 }.count == 2)
            #expect(stdRequests.filter { $0.headers["webhook-id"] == "wr-\(dead.id)" }.count == 1, "a permanent failure is not retried")
            // The other target got all four.
            #expect(try await allOutbox(h.journal).filter { $0.target == "am" }.allSatisfy { $0.state == "delivered" })

            // The hook: std failing (with the reason), then healthy again at its next delivery; am never failing.
            #expect(await eventually { h.hooks.all.contains { $0.target == "std" && $0.failing } })
            let calls = h.hooks.all
            #expect(!calls.contains { $0.target == "am" && $0.failing }, "\(calls)")
            let stdCalls = calls.filter { $0.target == "std" }
            let failed = try #require(stdCalls.firstIndex { $0.failing }, "std reported failing: \(calls)")
            #expect(stdCalls[failed].reason.contains("400"), "reason: \(stdCalls[failed].reason)")
            #expect(stdCalls[(failed + 1)...].contains { !$0.failing }, "the next delivery reports std healthy again: \(calls)")

            // What the daemon does with the hook: a delivery-failure alarm, notified on the other targets, not on std.
            let failure = h.rig.engine.system("notify-std", .deliveryFailure, name: "通知通道 std 投递失败", active: true,
                                              detail: calls.first?.reason, at: dayTime.addingTimeInterval(60)).events
            let planned = try await h.commit(failure)
            #expect(planned.map(\.target) == ["am"])
            #expect(try await h.waitUntilSettled())
            #expect(await eventually { h.receiver.requests(path: pathAM).contains { $0.bodyText.contains("notify-std") } })

            // Requeue (watchroomctl notifications retry ID): pending again, then delivered once the receiver accepts it.
            #expect(try await h.journal.requeue(std[0].id, at: Date()) == nil, "a delivered row is not requeued")
            h.receiver.setHandler { _ in .ok }
            let target = try await h.journal.requeue(dead.id, at: Date())
            #expect(target == "std")
            let requeued = try #require(try await allOutbox(h.journal).first { $0.id == dead.id })
            #expect(requeued.state == "pending" || requeued.state == "delivered")
            h.delivery?.service.nudge()
            #expect(try await h.waitUntilSettled())
            #expect(try await allOutbox(h.journal).first { $0.id == dead.id }?.state == "delivered")
            #expect(h.receiver.requests.contains { $0.headers["webhook-id"] == "wr-\(dead.id)" && $0.status == 200 })
        }
    }

    @Test("requeue resets a dead row to pending with no attempts and no error")
    func requeueResetsRow() async throws {
        try await withHarness(handler: { _ in Reply(status: 404) }, notify: { try standardTargetYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(try await h.waitUntilSettled())
            await h.stopDelivery()
            let dead = try #require(try await allOutbox(h.journal).first)
            #expect(dead.state == "dead")
            #expect(dead.lastError == "HTTP 404")
            #expect(dead.attempts == 1)
            #expect(h.hooks.all.map(\.failing) == [true])
            let at = Date()
            #expect(try await h.journal.requeue(dead.id, at: at) == "std")
            let row = try #require(try await allOutbox(h.journal).first)
            #expect(row.state == "pending")
            #expect(row.attempts == 0)
            #expect(row.lastError == nil)
            #expect(abs(row.nextAttemptAt.timeIntervalSince(at)) < 0.01)
            let pending = try await blocking { [journal = h.journal] in try journal.pendingOutbox(target: "std") }
            #expect(pending.map(\.id) == [dead.id])
            #expect(try await h.journal.requeue(dead.id, at: at) == nil, "only a dead row is requeued")
            #expect(try await h.journal.requeue(9999, at: at) == nil)
        }
    }

    @Test("a WeCom bot refusing with errcode 93000 dead-letters the message (HTTP 200 is not enough)")
    func wecomErrcodeDeadLetters() async throws {
        try await withHarness(handler: { _ in Reply(status: 200, body: #"{"errcode":93000,"errmsg":"invalid webhook url"}"#) },
                              notify: { base, dir in
            "notify:\n  - {id: wecom, format: wecom, url: \"\(base)/cgi-bin/webhook/send\", secret_file: \"\(try secretFile(wecomKey, named: "k", in: dir))\", group_window_s: 0}"
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(try await h.waitUntilSettled())
            let row = try #require(try await allOutbox(h.journal).first)
            #expect(row.state == "dead")
            #expect(row.lastError?.contains("93000") == true, "last_error: \(row.lastError ?? "nil")")
            #expect(await eventually { h.hooks.all.contains { $0.target == "wecom" && $0.failing } })
            #expect(h.hooks.all.first { $0.failing }?.reason.contains("93000") == true)
        }
    }

    @Test("a standard target with a group window sends a burst as one signed alarm.batch")
    func standardBatch() async throws {
        try await withHarness(notify: { base, dir in
            "notify:\n  - {id: std, format: standard, url: \"\(base)/hooks/standard\", secret_file: \"\(try secretFile(stdSecret, named: "s", in: dir))\", group_window_s: 1}"
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip(["Z01", "Z02", "F01"], at: dayTime))
            #expect(try await h.waitUntilSettled())
            let reqs = h.receiver.requests
            try #require(reqs.count == 1, "one request for the burst, got \(reqs.count)")
            let r = reqs[0]
            let json = try r.json()
            #expect(json["type"] as? String == "alarm.batch")
            let data = try #require(json["data"] as? [[String: Any]])
            let rows = try await allOutbox(h.journal)
            #expect(data.compactMap { $0["id"] as? String } == rows.map { "wr-\($0.id)" })
            #expect(rows.allSatisfy { $0.state == "delivered" })
            let id = try #require(r.headers["webhook-id"])
            #expect(SpecVerify.standardWebhooks(id: id, timestamp: r.headers["webhook-timestamp"] ?? "", body: r.body,
                                                signatureHeader: r.headers["webhook-signature"] ?? "", secret: stdSecret))
        }
    }

    @Test("a receiver that does not answer within timeout_s is retried; the retry carries the same id")
    func requestTimeout() async throws {
        // Two targets whose first request the receiver holds unanswered: `fast` (timeout_s 1) must
        // give up, retry and deliver while `slow` (timeout_s 30) is still waiting. An order of events,
        // not a stopwatch: a loaded machine stretches both timers alike.
        let seen = SeenPaths()
        let holdFirst: Receiver.Handler = { r in seen.first(r.path) ? Reply(status: 200, body: "late", held: true) : .ok }
        let clock = ManualClock()
        try await withHarness(handler: holdFirst, clock: clock, notify: { base, _ in
            """
            notify:
              - {id: fast, format: standard, url: "\(base)/hooks/fast", group_window_s: 0, retry_max_s: 1, timeout_s: 1}
              - {id: slow, format: standard, url: "\(base)/hooks/slow", group_window_s: 0, retry_max_s: 1, timeout_s: 30}
            """
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(await eventually { h.receiver.requests.count >= 2 }, "both targets sent their first request")
            let fastDelivered = try await drive(clock) {
                try await allOutbox(h.journal).first { $0.target == "fast" }?.state == "delivered"
            }
            #expect(fastDelivered, "(FoundationNetworking ignores a request's own timeoutInterval; the session's must carry timeout_s)")
            let rows = try await allOutbox(h.journal)
            let fast = try #require(rows.first { $0.target == "fast" }), slow = try #require(rows.first { $0.target == "slow" })
            let fastRequests = h.receiver.requests(path: "/hooks/fast"), slowRequests = h.receiver.requests(path: "/hooks/slow")
            // The held request and its retry (a retry that itself takes over 1 s on a loaded machine is
            // retried again: every request is an attempt).
            #expect(fastRequests.count >= 2)
            #expect(fast.attempts == fastRequests.count)
            #expect(Set(fastRequests.compactMap { $0.headers["webhook-id"] }).count == 1, "a retry is a duplicate by id, as receivers are told to expect")
            // The 1 s timeout cut fast's wait, not some shared or default one: slow's request is still in flight.
            #expect(slowRequests.count == 1)
            #expect(slow.state == "pending" && slow.attempts == 0 && slow.lastError == nil, "slow: \(slow)")
            h.receiver.release()
            #expect(try await drive(clock) { try await outboxCount(h.journal, "pending") == 0 })
        }
    }

    @Test("secrets: from a file or the environment; a missing one is an error naming the file or variable, not a secret")
    func secretResolution() async throws {
        let dir = try makeTempDir("secrets")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try secretFile("  s3cr3t-from-file  ", named: "bot.secret", in: dir)
        let varName = "WATCHROOM_NOTIFY_TEST_SECRET_\(UInt32.random(in: 0...UInt32.max))"
        // The environment is passed in: setenv in a parallel run races every thread reading the environment.
        let environment = [varName: "s3cr3t-from-env"]
        let yaml = siteYAML(notify: """
            notify:
              - {id: a, format: dingtalk, url: "http://127.0.0.1:9/a", secret_file: "\(file)"}
              - {id: b, format: feishu, url: "http://127.0.0.1:9/b", secret_env: \(varName)}
              - {id: c, format: feishu, url: "http://127.0.0.1:9/c", secret_env: \(varName)_UNSET}
              - {id: d, format: dingtalk, url: "http://127.0.0.1:9/d", secret_file: "\(dir.path)/missing.secret"}
              - {id: e, format: standard, url: "http://127.0.0.1:9/e?token=abc123"}
            """)
        let config = try loadSite(yaml)
        let t = config.notify
        try #require(t.count == 5)
        #expect(try DeliveryService.resolve(t[0], environment: environment).secret == "s3cr3t-from-file")
        #expect(try DeliveryService.resolve(t[1], environment: environment).secret == "s3cr3t-from-env")
        #expect(try DeliveryService.resolve(t[4], environment: environment).secret == nil)
        do {
            _ = try DeliveryService.resolve(t[2], environment: environment)
            Issue.record("an unset secret_env was accepted")
        } catch {
            #expect("\(error)".contains("\(varName)_UNSET"))
        }
        do {
            _ = try DeliveryService.resolve(t[3], environment: environment)
            Issue.record("a missing secret_file was accepted")
        } catch {
            #expect("\(error)".contains("missing.secret"))
        }
        // Status and logs show the URL with its query values (which may hold a key) hidden.
        let redacted = try DeliveryService.resolve(t[4], environment: environment).redactedURL
        #expect(redacted == "http://127.0.0.1:9/e?token=***")
        // The service refuses to start with a target whose secret cannot be read.
        let journal = try await openJournal(dir.appendingPathComponent("j.sqlite").path)
        #expect(throws: (any Error).self) {
            _ = try DeliveryService(config: config, journal: journal, logger: captureLogger(LogStore())) { _, _, _ in }
        }
    }

    @Test("the rate limit holds at the receiver when the first request is slow to arrive (a TLS handshake)")
    func rateLimitWithFirstRequestLatency() async throws {
        // On a manual clock: the minute passes in no real time, and the receiver stamps arrivals on it.
        let clock = ManualClock()
        try await withHarness(zones: outageZones, handler: botOK, clock: clock, notify: { base, dir in
            "notify:\n  - {id: wecom, format: wecom, url: \"\(base)/cgi-bin/webhook/send\", secret_file: \"\(try secretFile(wecomKey, named: "k", in: dir))\", group_window_s: 0, rate_per_minute: 2}"
        }) { h in
            // The first connection is slow (a TLS handshake: 800 ms, passing on the clock); later requests reuse it.
            h.receiver.setLatencies([.milliseconds(800)])
            try h.startDelivery()
            for (i, z) in ["T01", "T02", "T03"].enumerated() {
                try await h.commit(try h.rig.trip(z, at: dayTime))
                #expect(await drive(clock) { h.receiver.requests.count > i }, "message \(i + 1) sent")
            }
            let t = h.receiver.requests.compactMap(\.clockTime)
            try #require(t.count == 3)
            let span = (t[2] - t[0]).secondsValue
            // Sent one at a time (no grouping hides the count) and the third waited for the minute.
            #expect(span > 55, "the limiter held the third message back: \(span) s")
            // The receiver counts arrivals: the limiter must leave room for the first request's latency.
            #expect(span >= 60, "3 requests arrived within \(span) s with rate_per_minute 2")
        }
    }

    // MARK: flood

    /// 500 perimeter zones with realistic (long) names, so a WeCom message holds a few dozen lines.
    static let floodZones = (1...500).map { i in
        TestZone(id: String(format: "Z%03d", i), name: String(format: "北围墙东段第%03d号主动红外对射", i))
    }

    @Test("flood: 500 alarms in ~8 s to a WeCom bot: at most 20 requests a minute, every zone named, nothing dropped")
    func flood() async throws {
        // On a manual clock: the minutes the rate limit takes pass in no real time; arrivals are stamped on it.
        let clock = ManualClock()
        try await withHarness(zones: Self.floodZones, handler: botOK, clock: clock, notify: { base, dir in
            // Defaults: group_window_s 1, rate_per_minute 20.
            "notify:\n  - {id: wecom, format: wecom, url: \"\(base)/cgi-bin/webhook/send\", secret_file: \"\(try secretFile(wecomKey, named: "k", in: dir))\"}"
        }) { h in
            try h.startDelivery()
            let ids = Self.floodZones.map(\.id)
            // Five bursts of 100, two seconds apart (on the clock, which the service's waits follow meanwhile).
            for burst in 0..<5 {
                let slice = Array(ids[(burst * 100)..<((burst + 1) * 100)])
                try await h.commit(try h.rig.trip(slice, at: dayTime.addingTimeInterval(Double(burst * 2))))
                if burst < 4 { await pass(clock, .seconds(2)) }
            }
            // One read: the service moves rows from pending to delivered meanwhile.
            let counts = try await blocking { [journal = h.journal] in try journal.outboxCounts() }
            #expect(counts.values.reduce(0, +) == 500, "\(counts)")
            let settled = try await drive(clock, timeout: .seconds(60)) { try await outboxCount(h.journal, "pending") == 0 }
            #expect(settled, "clock at \(clock.elapsed), next sleeper \(String(describing: clock.nextDeadline)); log: \(h.logs.all.suffix(8))")

            let reqs = h.receiver.requests(path: pathWeCom)
            // The rate: no 60 s window holds more than 20 requests.
            let times = reqs.compactMap(\.clockTime)
            try #require(times.count == reqs.count)
            var worst = 0
            for (i, t) in times.enumerated() {
                worst = max(worst, times[i...].prefix { $0 - t < .seconds(60) }.count)
            }
            print("flood: \(reqs.count) requests, at most \(worst) within 60 s")
            #expect(worst <= 20, "\(worst) requests within 60 s (of \(reqs.count))")
            // Nothing dropped: every zone is named in some message, every row delivered.
            var named = Set<String>()
            var headlines: [(String, Int)] = []
            let pattern = try Regex(#"Z\d{3}"#)
            for r in reqs {
                let text = try #require(try r.json()["text"] as? [String: Any])
                let content = try #require(text["content"] as? String)
                #expect(content.utf8.count <= 2048, "content of \(content.utf8.count) bytes")
                #expect(content.contains(dayLeader.name), "every message names the leader on duty")
                #expect(text["mentioned_mobile_list"] as? [String] == [dayLeader.mobile])
                let found = content.matches(of: pattern).map { String(content[$0.range]) }
                named.formUnion(found)
                headlines.append((String(content.prefix { $0 != "\n" }), found.count))
            }
            // Each grouped message says what it holds: "N 个防区报警" with N the zones it names.
            let wrong = headlines.filter { $0.1 > 1 && !$0.0.hasPrefix("\($0.1) 个防区报警") }.map(\.0)
            #expect(wrong.isEmpty, "\(wrong.count) of \(headlines.count) headlines, e.g. \(wrong.first ?? "")")
            let missing = Set(ids).subtracting(named)
            #expect(missing.isEmpty, "\(missing.count) zones never named: \(missing.sorted().prefix(10))")
            #expect(try await outboxCount(h.journal, "delivered") == 500)
            #expect(try await outboxCount(h.journal, "dead") == 0)
            // Grouped, not one message per alarm.
            #expect(reqs.count < 50)
        }
    }
}

/// What each format makes of a receiver's answer.
@Suite("Classifying receivers' answers")
struct ClassifyTests {
    func isRetry(_ o: DeliveryOutcome, after expected: TimeInterval?? = .none) -> Bool {
        guard case .retry(_, let after) = o else { return false }
        if case .some(let e) = expected { return after == e }
        return true
    }

    func isPermanent(_ o: DeliveryOutcome) -> Bool {
        if case .permanent = o { return true }
        return false
    }

    func body(_ s: String) -> Data { Data(s.utf8) }

    @Test("WeCom: errcode 0 delivered, 45009 (rate limit) retried, 93000 permanent")
    func wecomErrcodes() {
        let f = WeComFormat()
        #expect(f.classify(status: 200, headers: [:], body: body(#"{"errcode":0,"errmsg":"ok"}"#)) == .delivered)
        #expect(isRetry(f.classify(status: 200, headers: [:], body: body(#"{"errcode":45009,"errmsg":"api freq out of limit"}"#))))
        #expect(isPermanent(f.classify(status: 200, headers: [:], body: body(#"{"errcode":93000,"errmsg":"invalid webhook url"}"#))))
        #expect(isPermanent(f.classify(status: 200, headers: [:], body: body(#"{"errcode":40008,"errmsg":"invalid message type"}"#))))
    }

    @Test("DingTalk: errcode 0 delivered, 130101 (throttled) retried, 310000 (bad sign) permanent")
    func dingTalkErrcodes() {
        let f = DingTalkFormat()
        #expect(f.classify(status: 200, headers: [:], body: body(#"{"errcode":0,"errmsg":"ok"}"#)) == .delivered)
        #expect(isRetry(f.classify(status: 200, headers: [:], body: body(#"{"errcode":130101,"errmsg":"send too fast"}"#))))
        #expect(isPermanent(f.classify(status: 200, headers: [:], body: body(#"{"errcode":310000,"errmsg":"sign not match"}"#))))
    }

    @Test("Feishu: code 0 delivered, 9499 (too many requests) retried, 19021 (bad sign) permanent")
    func feishuCodes() {
        let f = FeishuFormat()
        #expect(f.classify(status: 200, headers: [:], body: body(#"{"code":0,"msg":"success","data":{}}"#)) == .delivered)
        #expect(f.classify(status: 200, headers: [:], body: body(#"{"StatusCode":0,"StatusMessage":"success"}"#)) == .delivered)
        #expect(isRetry(f.classify(status: 200, headers: [:], body: body(#"{"code":9499,"msg":"too many request"}"#))))
        #expect(isPermanent(f.classify(status: 200, headers: [:], body: body(#"{"code":19021,"msg":"sign match fail"}"#))))
    }

    @Test("HTTP 429 and 5xx are retried with Retry-After (seconds) honoured; 404 and 400 are permanent; 2xx delivered",
          arguments: [WebhookFormats.format(named: "standard")!, WebhookFormats.format(named: "alertmanager")!,
                      WebhookFormats.format(named: "wecom")!, WebhookFormats.format(named: "dingtalk")!,
                      WebhookFormats.format(named: "feishu")!])
    func httpStatuses(format f: any WebhookFormat) {
        #expect(isRetry(f.classify(status: 429, headers: ["Retry-After": "7"], body: Data()), after: 7))
        #expect(isRetry(f.classify(status: 503, headers: ["retry-after": "30"], body: Data()), after: 30))
        #expect(isRetry(f.classify(status: 503, headers: [:], body: Data()), after: .some(nil)))
        #expect(isRetry(f.classify(status: 500, headers: [:], body: Data())))
        #expect(isRetry(f.classify(status: 502, headers: [:], body: body("<html>bad gateway</html>"))))
        #expect(isPermanent(f.classify(status: 404, headers: [:], body: Data())))
        #expect(isPermanent(f.classify(status: 400, headers: [:], body: body(#"{"errcode":0}"#))))
        #expect(isPermanent(f.classify(status: 401, headers: [:], body: Data())))
        #expect(f.classify(status: 204, headers: [:], body: Data()) == .delivered)
        #expect(isRetry(f.classify(status: 408, headers: [:], body: Data())))
    }

    @Test("Retry-After as an HTTP-date (RFC 9110) is honoured too")
    func retryAfterHTTPDate() {
        let f = StandardWebhookFormat()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let header = formatter.string(from: Date().addingTimeInterval(120))
        let outcome = f.classify(status: 503, headers: ["Retry-After": header], body: Data())
        #expect(isRetry(outcome))
        guard case .retry(_, let after) = outcome, let after else {
            Issue.record("Retry-After: \(header) was ignored")
            return
        }
        #expect(after > 100 && after <= 121)
    }
}
