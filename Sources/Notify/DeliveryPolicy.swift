public import SiteConfig

/// How one target is paced, and when a message counts as late.
///
/// Built from a `NotifyTarget`, which may come from code as well as from a checked config: every
/// number is clamped here so that nan, infinity or 1e308 never trap the daemon.
public struct DeliveryPolicy: Sendable {
    /// Wait this long after the first pending message, so a burst goes out as one message.
    public var groupWindow: Duration
    /// At most this many requests per minute (0: no limit); chat bots throttle beyond 20.
    public var ratePerMinute: Int
    /// Seconds a request may take.
    public var timeout: Double
    public var retryBase: Double
    public var retryMax: Double
    /// A message not delivered this long after its first attempt raises the delivery-failure alarm.
    public var lateAfter: Duration
    /// The longest Retry-After honoured for high and critical messages: a fire alarm does not wait an hour
    /// because a bot said so.
    public var urgentRetryAfterCap: Double = 30
    /// The longest Retry-After honoured for the others.
    public var retryAfterCap: Double = 3600

    /// The longest group window: beyond an hour a "group" is a lost alarm.
    public static let maxGroupWindow = Duration.seconds(3600)

    /// The target's numbers, its format's pacing where it gives none.
    public static func defaults(for target: NotifyTarget, pacing: NotifyPacing) -> DeliveryPolicy {
        DeliveryPolicy(
            groupWindow: .clamped(seconds: target.groupWindowSeconds ?? pacing.groupWindowSeconds, to: maxGroupWindow),
            ratePerMinute: min(max(target.ratePerMinute ?? pacing.ratePerMinute, 0), 10_000),
            timeout: Double(min(max(target.timeoutSeconds ?? 10, 1), 300)),
            retryBase: 1,
            retryMax: Double(min(max(target.retryMaxSeconds ?? 300, 1), 86_400)),
            lateAfter: .seconds(min(max(target.lateAfterSeconds ?? 60, 1), 86_400)))
    }

    /// The policy of a target of a shipped format (no pacing for a name the standard registry lacks).
    public static func defaults(for target: NotifyTarget) -> DeliveryPolicy {
        defaults(for: target, pacing: NotifierRegistry.standard.notifier(named: target.format)?.pacing ?? NotifyPacing())
    }
}
