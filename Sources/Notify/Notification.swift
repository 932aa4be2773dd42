public import Alarms
public import Foundation
public import SiteConfig

/// One message for one target, as stored in the outbox and handed to an encoder.
public struct Notification: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case raised, reactivated, escalated, acknowledged, resolved
        case deliveryFailure = "delivery-failure"
        case repairRequired = "repair-required"
    }
    public var kind: Kind
    public var time: Date
    public var site: String
    public var alarm: Alarm?
    /// Whom to call: the shift leader on duty (and, on escalation, the supervisor).
    public var recipients: [Person]
    public var shift: String?
    /// One line a person reads on a phone.
    public var title: String
    public var text: String
    /// The language the text is in (`site.language`: "zh-CN" or "en"; nil in rows written before it existed).
    public var language: String? = nil

    public var priority: Priority { alarm?.priority ?? .high }
    /// Firing or resolved, in Alertmanager's terms.
    public var isResolved: Bool { kind == .resolved }
}

/// An outbox row: a notification for a target, its delivery state and attempts.
public struct OutboxEntry: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable { case pending, delivered, dead }
    public var id: Int64
    public var target: String
    public var notification: Notification
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date

    /// The id receivers use to de-duplicate a retried delivery (stable across retries and restarts).
    /// Messages held in memory (negative ids, never in the outbox) are "wr-mem-N".
    public var messageID: String { id >= 0 ? "wr-\(id)" : "wr-mem-\(-id)" }

    /// The id of a request carrying `entries`: the message's own, or "first-last" for a batch.
    public static func batchID(_ entries: [OutboxEntry]) -> String {
        entries.count == 1 ? entries[0].messageID : "\(entries.first!.messageID)-\(abs(entries.last!.id))"
    }
}
