import TestClock
import Foundation
import Journal
import Notify
import SiteConfig
import Testing

@Suite("A chat bot's answer that cannot be read")
struct UnreadableAnswerTests {
    @Test("an HTTP 200 whose body is not the bot's JSON (a captive portal) is retried through delivery, never counted delivered",
          arguments: ["<html>gateway login</html>", ""])
    func portalPageIsNotDelivery(page: String) async throws {
        let clock = ManualClock()
        try await withHarness(handler: { r in r.index < 2 ? Reply(status: 200, body: page) : .chatOK }, clock: clock, notify: { base, _ in
            "notify:\n  - {id: wc, format: wecom, url: \"\(base)/cgi-bin/webhook/send\", group_window_s: 0}"
        }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            // Two portal pages: still pending, with the reason; delivered only by the bot's own "ok".
            let twice = await drive(clock) { h.receiver.requests.count >= 2 }
            #expect(twice)
            let row = try #require(try await allOutbox(h.journal).first)
            #expect(row.deliveredAt == nil)
            let settled = try await drive(clock) { try await outboxCount(h.journal, "delivered") == 1 }
            #expect(settled)
            let rows = try await allOutbox(h.journal)
            #expect(rows.first?.attempts == 3, "two unreadable answers retried, then the bot's ok")
            let retries = h.logs.all.filter { $0.contains("unreadable answer (HTTP 200") && $0.contains("kept in the outbox") }
            #expect(retries.count == 2, "\(h.logs.all)")
            #expect(h.receiver.requests.count == 3)
        }
    }

    @Test("a chat bot's HTTP 200 with a JSON object that carries no result code (a proxy's own JSON) is retried, not delivered",
          arguments: NotifierRegistry.standard.notifiers.compactMap { $0 as? any ChatBotFormat }.map(\.name))
    func objectWithoutCodeIsNotDelivery(format name: String) throws {
        let format = try #require(WebhookFormats.format(named: name))
        for body in ["{}", #"{"ok":true}"#, #"{"error":"login required"}"#] {
            let outcome = format.classify(status: 200, headers: [:], body: Data(body.utf8))
            guard case .retry(let reason, _) = outcome else {
                Issue.record("\(name): answer \(body) was taken as \(outcome)")
                continue
            }
            #expect(reason.contains("unreadable"), "reason: \(reason)")
        }
    }
}
