import Access
import Control
import Foundation
import Hummingbird
import Journal
import Notify

/// The notification outbox: its rows (never a target's secret) and re-queueing a dead-lettered one.
struct NotificationRoutes: Sendable {
    let journal: Journal
    /// Tells the delivery service a row is due now.
    let nudge: @Sendable () async -> Void
    let callers: Callers
    var now: @Sendable () -> Date = { Date() }

    struct Requeued: Codable {
        let requeued: Int64
        let target: String
    }

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        routes.get("notifications") { request, _ in
            let state = request.uri.queryParameters.get("state").map { [String($0)] }
            let limit = try Page.limit(request, default: 200)
            let before: Int64? = try Page.cursor(request, "before")
            let rows = try await journal.reading { try $0.outbox(states: state, before: before, limit: limit) }
            return try json(rows.map { OutboxView(row: $0) })
        }
        routes.post("notifications/:id/retry") { _, context in
            _ = try await callers.actor(context, typed: nil, for: .retryNotification, typedRequired: false)
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { return error(.badRequest, "outbox id must be a number", "invalid") }
            let requeued: String?
            do { requeued = try await journal.requeue(id, at: now()) } catch {
                // Not re-queued: an operator's action that cannot be written is refused as every command is.
                guard let refused = ControlError.response(for: error, journalPath: journal.path) else { throw error }
                return refused
            }
            guard let target = requeued else {
                return error(.notFound, "no dead-lettered notification \(id) (see watchroomctl notifications --state dead)", "not-found")
            }
            await nudge()
            return try json(Requeued(requeued: id, target: target))
        }
        return routes
    }
}

extension OutboxView {
    /// The row with its notification's title (never the target's secret).
    init(row: OutboxRow) {
        self.init(id: row.id, target: row.target, state: row.state, attempts: row.attempts, nextAttemptAt: row.nextAttemptAt,
                  lastError: row.lastError, deliveredAt: row.deliveredAt, createdAt: row.createdAt,
                  title: (try? NotifyJSON.decoder.decode(Notify.Notification.self, from: row.body))?.title ?? "(unreadable)")
    }
}
