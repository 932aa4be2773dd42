import TestClock
import Alarms
import Foundation
import Journal
import Notify
import SiteConfig
import Testing

/// A Feishu hook id: the bot's credential, in the URL path.
let feishuHookToken = "8d3e5c1a-4b2f-4e6a-9c7d-1f2e3a4b5c6d"

/// Defects found by misbehaving receivers (issue 9): each test failed before its fix.
@Suite("Delivery against misbehaving receivers", .timeLimit(.minutes(2)))
struct HardeningTests {
    @Test("a newer critical message goes before an older low one waiting out a Retry-After on the same target")
    func criticalOvertakesLow() async throws {
        // The first request (the low alarm) is refused for 2 s; the fire alarm comes in meanwhile.
        // On a manual clock the 2 s pass only when the test says: the fire alarm is surely committed
        // while the low one waits, however late this test gets to run.
        let handler: Receiver.Handler = { r in r.index == 0 ? Reply(status: 429, headers: ["Retry-After": "2"]) : .ok }
        let clock = ManualClock()
        try await withHarness(handler: handler, clock: clock, notify: { try standardTargetYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("L01", at: dayTime))
            #expect(await eventually { h.receiver.requests.count >= 1 })
            await pass(clock, .seconds(1))
            try await h.commit(try h.rig.trip("F01", at: dayTime.addingTimeInterval(1)))
            #expect(try await drive(clock) { try await outboxCount(h.journal, "pending") == 0 })
            let order = h.receiver.requests.map { r in
                ["L01", "F01"].first { r.bodyText.contains("\"source_id\":\"\($0)\"") } ?? "?"
            }
            #expect(order == ["L01", "F01", "L01"], "arrivals: \(order)")
        }
    }

    @Test("no bot token from a URL path or query reaches the log, on retries or on connection errors")
    func tokensNeverLogged() async throws {
        let dead = "http://127.0.0.1:9"
        // The retries wait on a manual clock: they come when the test moves time on, not when a loaded machine gets round to it.
        let clock = ManualClock()
        try await withHarness(handler: failFirst(2, with: Reply(status: 503)), clock: clock, notify: { base, dir in
            """
            notify:
              - {id: feishu, format: feishu, url: "\(base)/open-apis/bot/v2/hook/\(feishuHookToken)", secret_file: "\(try secretFile(feishuSecret, named: "f", in: dir))", group_window_s: 0, retry_max_s: 1}
              - {id: gone, format: feishu, url: "\(dead)/open-apis/bot/v2/hook/\(feishuHookToken)", secret_file: "\(try secretFile(feishuSecret, named: "g", in: dir))", group_window_s: 0, retry_max_s: 1}
              - {id: ding, format: dingtalk, url: "\(dead)/robot/send?access_token=tok0123456789abcdef", secret_file: "\(try secretFile(dingSecret, named: "d", in: dir))", group_window_s: 0, retry_max_s: 1}
            """
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(await drive(clock) { h.logs.all.filter { $0.contains("notify gone") }.count >= 2 })
            #expect(await drive(clock) { h.logs.all.filter { $0.contains("notify ding") }.count >= 2 })
            #expect(await drive(clock) { h.receiver.requests.contains { $0.status == 200 } })
            await h.stopDelivery()
            let lines = h.logs.all
            #expect(lines.contains { $0.contains("notify feishu") && $0.contains("HTTP 503") }, "\(lines)")
            let leaks = lines.filter { $0.contains(feishuHookToken) || $0.contains("tok0123456789abcdef") || $0.contains(feishuSecret) }
            #expect(leaks.isEmpty, "log lines with a token: \(leaks)")
            // A refused connection says so in words, not as an NSURLErrorDomain code.
            #expect(lines.contains { $0.contains("notify gone") && $0.contains("connection refused") }, "\(lines.filter { $0.contains("gone") })")
            #expect(!lines.contains { $0.contains("NSURLErrorDomain") }, "\(lines)")
            let gone = try #require(try await allOutbox(h.journal).first { $0.target == "gone" })
            #expect(gone.lastError?.contains("connection refused") == true, "last_error: \(gone.lastError ?? "nil")")
            #expect(gone.lastError?.contains(feishuHookToken) == false)
        }
    }

    @Test("a receiver that does not answer in time: the log says 'timed out after 1 s'")
    func timeoutInWords() async throws {
        // The first request is held unanswered until the test ends: only the timeout can end it.
        let slowFirst: Receiver.Handler = { r in r.index == 0 ? Reply(status: 200, held: true) : .ok }
        try await withHarness(handler: slowFirst, notify: { base, _ in
            "notify:\n  - {id: std, format: standard, url: \"\(base)/hooks/standard\", group_window_s: 0, retry_max_s: 1, timeout_s: 1}"
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(try await h.waitUntilSettled())
            let lines = h.logs.all
            #expect(lines.contains { $0.contains("notify std") && $0.contains("timed out after 1 s") }, "\(lines)")
            #expect(!lines.contains { $0.contains("NSURLErrorDomain") }, "\(lines)")
        }
    }

    @Test("a clean stop during a request logs no error and leaves the message pending, unattempted")
    func cleanStop() async throws {
        // The request is held unanswered, and timeout_s is far beyond the test: the request is still in
        // flight when the service stops, however long a loaded machine takes to get there.
        try await withHarness(handler: { _ in Reply(status: 200, held: true) }, notify: { base, dir in
            """
            notify:
              - {id: std, format: standard, url: "\(base)/hooks/standard", secret_file: "\(try secretFile(stdSecret, named: "std.secret", in: dir))", group_window_s: 0, retry_max_s: 1, timeout_s: 300}
            """
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(await eventually { h.receiver.requests.count == 1 })
            await h.stopDelivery()
            let bad = h.logs.all.filter { $0.contains(" error: ") || $0.contains(" warning: ") || $0.contains("CancellationError") }
            #expect(bad.isEmpty, "\(bad)")
            let row = try #require(try await allOutbox(h.journal).first)
            #expect(row.state == "pending")
            #expect(row.lastError == nil, "last_error: \(row.lastError ?? "nil")")
        }
    }

    @Test("a 256 MB answer to a webhook is not read to its end: the body read is capped")
    func hugeResponseBody() async throws {
        let total = 256 << 20
        try await withHarness(handler: { _ in Reply(status: 200, streamBytes: total) }, notify: { try standardTargetYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(try await h.waitUntilSettled())
            #expect(try await allOutbox(h.journal).first?.state == "delivered")
            // Whatever the kernel buffers once the client stops reading, far from the whole body.
            try await Task.sleep(for: .milliseconds(300))
            let streamed = h.receiver.streamedBytes
            #expect(streamed < 32 << 20, "the receiver could write \(streamed >> 20) MB of its \(total >> 20) MB answer")
        }
    }
}

@Suite("Classifying chat bots' answers")
struct ChatAnswerTests {
    @Test("a chat bot's HTTP 200 with a body that is not its JSON is retried, not counted as delivered",
          arguments: [WebhookFormats.format(named: "wecom")!, WebhookFormats.format(named: "dingtalk")!,
                      WebhookFormats.format(named: "feishu")!])
    func unreadableBodyRetried(format f: any WebhookFormat) {
        for body in ["<html>gateway login</html>", "", "[1,2]"] {
            let outcome = f.classify(status: 200, headers: [:], body: Data(body.utf8))
            guard case .retry(let reason, _) = outcome else {
                Issue.record("answer '\(body)' was taken as \(outcome)")
                continue
            }
            #expect(reason.contains("unreadable"), "reason: \(reason)")
        }
    }
}
