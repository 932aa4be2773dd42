public import Foundation
public import SiteConfig

/// One notification format: everything that differs between Standard Webhooks, a WeCom bot and a
/// channel that is not HTTP at all, in one type. Delivery (outbox, order, pacing, retries, lateness)
/// is the same for every format and knows none of them by name; it asks the registry.
///
/// Adding one: a type conforming to this (or to `WebhookFormat` for an HTTP body), listed in
/// `NotifierRegistry.standard`. The config loader, the planner and delivery then know it.
public protocol Notifier: Sendable {
    /// The name a target's `format:` gives.
    var name: String { get }
    /// The keys a target of this format may have besides the common ones (`id`, `format`,
    /// `min_priority`, the pacing keys). Any other key is a config error.
    var optionKeys: [String] { get }
    /// What this format refuses in a target (a missing key, an unsigned bot), each message naming
    /// the target; the loader places it at the key's value, so check-config shows file:line:col.
    func problems(of target: NotifyTarget) -> [NotifyOptionProblem]
    /// Grouping and rate the receiver needs unless the target sets its own.
    var pacing: NotifyPacing { get }
    /// Whether a notification of this kind goes to this format's targets.
    func wants(_ kind: Notification.Kind) -> Bool
    /// The channel one target delivers through; made once per target when delivery starts.
    func channel(for target: ResolvedTarget, policy: DeliveryPolicy) -> any NotifyChannel
}

extension Notifier {
    public func wants(_ kind: Notification.Kind) -> Bool { true }
    public var pacing: NotifyPacing { NotifyPacing() }

    /// "notify target 'x' is missing required key 'k'", as the loader says it of its own keys.
    public func missing(_ key: String, in target: NotifyTarget) -> NotifyOptionProblem? {
        target.options[key] == nil ? NotifyOptionProblem("\(target.label) is missing required key '\(key)'") : nil
    }
}

/// A format's default pacing; a target's `group_window_s` and `rate_per_minute` override it.
public struct NotifyPacing: Sendable, Equatable {
    /// Seconds to wait after the first pending message, so a burst goes out as one message.
    public var groupWindowSeconds: Double
    /// At most this many messages a minute (0: no limit).
    public var ratePerMinute: Int

    public init(groupWindowSeconds: Double = 0, ratePerMinute: Int = 0) {
        self.groupWindowSeconds = groupWindowSeconds
        self.ratePerMinute = ratePerMinute
    }
}

/// One target's way out: it renders a batch into one message and sends it. The delivery loop talks
/// only to this; the HTTP webhook client is one implementation (`WebhookChannel`).
public protocol NotifyChannel: Sendable {
    /// What one send carries (an HTTP request, a line for a modem).
    associatedtype Message: Sendable
    /// Renders as many entries from the head of `entries` as fit one message; `taken` says how many
    /// (at least one is counted as sent). A throw dead-letters the head: it can never be sent.
    func render(_ entries: [OutboxEntry], now: Date) throws -> (message: Message, taken: Int)
    /// Sends one message and says what came of it: failures are outcomes (`.retry`, `.permanent`);
    /// it throws only when the task is cancelled, a clean stop with nothing to record.
    func send(_ message: Message) async throws(CancellationError) -> DeliveryOutcome
}

/// What a delivery attempt came to.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Try again later (5xx, 429, timeouts, a bot's rate limit); `after` when the receiver said when.
    case retry(String, after: TimeInterval?)
    /// Will never succeed as sent (bad key, bad request, bad signature): dead-letter it.
    case permanent(String)
}

/// A notify target with its secret read from a file or the environment.
public struct ResolvedTarget: Sendable {
    public var target: NotifyTarget
    public var secret: String?
    public init(target: NotifyTarget, secret: String?) {
        self.target = target
        self.secret = secret
    }

    /// The URL as logs and status show it: query values, user info and token-like path segments
    /// (Feishu's hook id) replaced by `***`, the same way as everywhere else.
    public var redactedURL: String { Redaction.url(target.url) }
}
