import Alarms
import Control
@testable import Daemon
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
@testable import Journal
import Testing

/// A journal that fails under the API: the answer says so (500 for a read, 503
/// `journal-unavailable` for a write), never a made-up value or a generic error.
struct JournalFailureAnswerTests {
    @Test("a journal that cannot be read makes status a 500 that says so, never journal_seq 0")
    func statusJournalUnreadable() async throws {
        let rig = try APIRig("status-unreadable")
        await rig.raise([1])
        // The events table gone: every read of the journal's seq fails.
        try await rig.journal.db.write { try $0.execute(sql: "ALTER TABLE events RENAME TO events_gone") }
        try await rig.test { client in
            try await client.execute(uri: "/v1/status", method: .get) { r in
                #expect(r.status == .internalServerError, "\(r.text)")
                #expect(r.errorBody?.code == "internal", "\(r.text)")
                #expect(r.errorBody?.error.contains("the journal cannot be read") == true, "\(r.text)")
            }
        }
    }

    @Test("a retry of a dead-lettered notification re-queues it; while the journal cannot be written it is 503 journal-unavailable")
    func notificationRetry() async throws {
        let rig = try APIRig("retry")
        await rig.raise([0])
        let row = try #require(try rig.journal.outbox(states: ["pending"]).first)
        try await rig.journal.markDead([row.id], error: "HTTP 500")
        try await rig.test { client in
            try await client.execute(uri: "/v1/notifications?state=dead", method: .get) { r in
                #expect(r.status == .ok)
                let dead = try r.decoded([OutboxView].self)
                #expect(dead.map(\.id) == [row.id])
            }
            try await client.execute(uri: "/v1/notifications/x/retry", method: .post) { r in
                #expect(r.status == .badRequest && r.errorBody?.code == "invalid", "\(r.text)")
            }
            try rig.journal.simulateWriteFailure(true)
            try await client.execute(uri: "/v1/notifications/\(row.id)/retry", method: .post) { r in
                #expect(r.status == .serviceUnavailable, "\(r.text)")
                #expect(r.errorBody?.code == "journal-unavailable", "\(r.text)")
            }
            try rig.journal.simulateWriteFailure(false)
            try await client.execute(uri: "/v1/notifications/\(row.id)/retry", method: .post) { r in
                #expect(r.status == .ok, "\(r.text)")
                #expect(r.text == #"{"requeued":\#(row.id),"target":"bot"}"#)
            }
            try await client.execute(uri: "/v1/notifications/\(row.id)/retry", method: .post) { r in
                #expect(r.status == .notFound && r.errorBody?.code == "not-found", "\(r.text)")
            }
        }
    }
}
