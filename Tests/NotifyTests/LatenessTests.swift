import TestClock
import Alarms
import Foundation
import Journal
import Notify
import SiteConfig
import Testing

/// A stuck target is noticed by time, and time is the service's monotonic clock (issue 9 items 11-12).
@Suite("Late messages and injected time", .timeLimit(.minutes(2)))
struct LatenessTests {
    /// A bot that rate-limits everything for an hour.
    static let stuckBot: Receiver.Handler = { _ in Reply(status: 429, headers: ["Retry-After": "3600"]) }

    @Test("a bot answering 429 Retry-After: 3600: a high alarm is retried within 30 s and the target is reported failing once it is 60 s late")
    func stuckBotNoticedByLateness() async throws {
        let clock = ManualClock()
        try await withHarness(handler: Self.stuckBot, clock: clock, notify: { base, dir in
            "notify:\n  - {id: std, format: standard, url: \"\(base)/hooks/standard\", group_window_s: 0}"
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))  // perimeter: high
            #expect(await drive(clock) { h.receiver.requests.count >= 2 })
            let arrivals = h.receiver.requests.compactMap(\.clockTime)
            try #require(arrivals.count >= 2)
            let gap = (arrivals[1] - arrivals[0]).secondsValue
            #expect(gap <= 30.5, "a high alarm waited \(gap) s for its retry; Retry-After 3600 is capped at 30 s for it")
            #expect(!h.hooks.all.contains { $0.failing }, "reported failing before it was late: \(h.hooks.all)")
            #expect(await drive(clock) { h.hooks.all.contains { $0.target == "std" && $0.failing } })
            // When the service reported it, on its clock (the test may have moved time on since).
            let reported = try #require(h.hooks.all.first { $0.failing }?.at)
            let late = (reported - arrivals[0]).secondsValue
            #expect(late >= 60 && late < 61, "reported \(late) s after the first attempt; late_after_s defaults to 60")
            let reason = try #require(h.hooks.all.first { $0.failing }?.reason)
            #expect(reason.contains("not delivered 60 s after its first attempt"), "reason: \(reason)")
            #expect(reason.contains("HTTP 429"), "reason: \(reason)")
            // Reported once, not at every retry.
            let later = arrivals[0] + .seconds(300)
            await pass(clock, later - clock.elapsed, step: .seconds(60))
            #expect(h.hooks.all.filter { $0.failing }.count == 1, "\(h.hooks.all)")
            // The bot recovers: the message goes out and the failure returns.
            h.receiver.setHandler { _ in .ok }
            #expect(await drive(clock) { h.hooks.all.last.map { !$0.failing } == true })
            #expect(try await allOutbox(h.journal).first?.state == "delivered")
        }
    }

    @Test("late_after_s is the target's own; a low alarm honours the bot's full Retry-After")
    func lateAfterConfigured() async throws {
        let clock = ManualClock()
        try await withHarness(handler: Self.stuckBot, clock: clock, notify: { base, dir in
            "notify:\n  - {id: std, format: standard, url: \"\(base)/hooks/standard\", group_window_s: 0, late_after_s: 20}"
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("L01", at: dayTime))  // low
            #expect(await drive(clock) { h.hooks.all.contains { $0.failing } })
            let first = try #require(h.receiver.requests.first?.clockTime)
            let reported = try #require(h.hooks.all.first { $0.failing }?.at)
            let late = (reported - first).secondsValue
            #expect(late >= 20 && late < 21, "reported \(late) s after the first attempt with late_after_s 20")
            // Within the hour only the first attempt went out: Retry-After 3600 stands for a low alarm.
            let hourLater = first + .seconds(3000)
            await pass(clock, hourLater - clock.elapsed, step: .seconds(600))
            #expect(h.receiver.requests.count == 1, "\(h.receiver.requests.compactMap(\.clockTime))")
        }
    }

    @Test("a step of the wall clock an hour back does not delay a pending retry or a new message")
    func wallClockStepDoesNotDelay() async throws {
        let clock = ManualClock()
        try await withHarness(handler: failFirst(1, with: Reply(status: 503)), clock: clock,
                              notify: { try standardTargetYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(await drive(clock) { h.receiver.requests.count >= 1 })
            h.wall.step(by: -3600)
            #expect(await drive(clock) { h.receiver.requests.count >= 2 })
            let t = h.receiver.requests.compactMap(\.clockTime)
            #expect((t[1] - t[0]).secondsValue <= 1.0, "the retry (retry_max_s 1) waited \((t[1] - t[0]).secondsValue) s")
            // A message committed after the step goes out at once (group_window_s 0).
            let before = clock.elapsed
            try await h.commit(try h.rig.trip("Z02", at: dayTime.addingTimeInterval(5)))
            #expect(await drive(clock) { h.receiver.requests.count >= 3 })
            #expect(try #require(h.receiver.requests.last?.clockTime) - before <= .seconds(1))
            #expect(try await drive(clock) { try await outboxCount(h.journal, "pending") == 0 })
        }
    }

    @Test("notifications the journal could not take are sent from memory, first, with retries, and never recorded")
    func deliverFromMemory() async throws {
        try await withHarness(handler: failFirst(1, with: Reply(status: 503)), notify: { try standardTargetYAML($0, $1) }) { h in
            // An outbox row is waiting, and a notification that could not be written is handed over.
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            let events = try h.rig.trip("F01", at: dayTime.addingTimeInterval(1))
            let planned = h.rig.planner.plan(events)
            try #require(planned.count == 1)
            try h.startDelivery()
            h.delivery?.service.deliverFromMemory(planned)
            #expect(try await h.waitUntilSettled())
            #expect(await eventually { h.receiver.requests.filter { $0.status == 200 }.count == 2 })
            let ids = h.receiver.requests.map { "\($0.headers["webhook-id"] ?? "?"):\($0.status)" }
            // The held message first (refused once, retried with its id), then the outbox row.
            #expect(ids == ["wr-mem-1:503", "wr-mem-1:200", "wr-1:200"], "arrivals: \(ids)")
            let held = try #require(h.receiver.requests.first)
            #expect(held.bodyText.contains("\"source_id\":\"F01\""))
            #expect(SpecVerify.standardWebhooks(id: "wr-mem-1", timestamp: held.headers["webhook-timestamp"] ?? "", body: held.body,
                                                signatureHeader: held.headers["webhook-signature"] ?? "", secret: stdSecret))
            // Not in the journal.
            #expect(try await allOutbox(h.journal).map(\.id) == [1])
        }
    }
}
