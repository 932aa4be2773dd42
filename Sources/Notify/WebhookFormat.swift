import Alarms
public import Foundation
public import SiteConfig

/// An HTTP request ready to send.
public struct WebhookRequest: Sendable {
    public var url: URL
    public var headers: [String: String]
    public var body: Data
}

/// One HTTP wire format: how a batch of notifications becomes one request, and how to read the answer.
/// It is a `Notifier` whose channel is the target's HTTP client; a target gives it `url` and,
/// when the receiver checks signatures, `secret_file` or `secret_env`.
public protocol WebhookFormat: Notifier {
    /// The largest body a receiver accepts (chat bots cap their message size).
    var maxTextBytes: Int { get }
    /// Encodes as many entries from the head of `entries` as fit; returns the request and how many it took.
    func encode(_ entries: [OutboxEntry], to target: ResolvedTarget, now: Date) throws -> (WebhookRequest, Int)
    func classify(status: Int, headers: [String: String], body: Data) -> DeliveryOutcome
}

extension WebhookFormat {
    public var maxTextBytes: Int { 1 << 20 }
    public var optionKeys: [String] { ["url", "secret_file", "secret_env"] }

    /// Every webhook needs its URL (the loader checks that it is one).
    public func problems(of target: NotifyTarget) -> [NotifyOptionProblem] {
        [missing("url", in: target)].compactMap { $0 }
    }

    public func channel(for target: ResolvedTarget, policy: DeliveryPolicy) -> any NotifyChannel {
        WebhookChannel(format: self, target: target, sender: WebhookSender(timeout: policy.timeout))
    }

    /// HTTP status classes shared by every format.
    func classifyHTTP(status: Int, headers: [String: String]) -> DeliveryOutcome? {
        let retryAfter = headers.first { $0.key.lowercased() == "retry-after" }.flatMap { Self.retryAfter($0.value, now: Date()) }
        switch status {
        case 200..<300: return nil
        case 408, 425, 429, 500..<600: return .retry("HTTP \(status)", after: retryAfter)
        default: return .permanent("HTTP \(status)")
        }
    }
}

extension WebhookFormat {
    /// Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date; a date in the past means now.
    static func retryAfter(_ value: String, now: Date) -> TimeInterval? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(v), seconds >= 0 { return TimeInterval(seconds) }
        for pattern in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "GMT")
            f.dateFormat = pattern
            if let date = f.date(from: v) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}

/// The HTTP formats of the standard registry, by name (for tests and tools that read answers).
public enum WebhookFormats {
    /// Their names, sorted.
    public static var names: [String] { formats.map(\.name).sorted() }

    /// The HTTP format named `name`; nil for a name no format has (never a silent fallback to another).
    public static func format(named name: String) -> (any WebhookFormat)? { formats.first { $0.name == name } }

    static var formats: [any WebhookFormat] { NotifierRegistry.standard.notifiers.compactMap { $0 as? any WebhookFormat } }
}

struct BadURL: Error, CustomStringConvertible {
    let url: String
    var description: String { "invalid url \(Redaction.url(url))" }
}

func url(_ text: String) throws -> URL {
    guard let u = URL(string: text) else { throw BadURL(url: text) }
    return u
}

func components(_ text: String) throws -> URLComponents {
    guard let c = URLComponents(string: text) else { throw BadURL(url: text) }
    return c
}

/// RFC 3339 UTC with milliseconds, as receivers expect.
func iso(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }

func jsonData(_ object: Any) throws -> Data {
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
}

extension Optional where Wrapped == URL {
    func orThrow(_ text: String) throws -> URL {
        guard let u = self else { throw BadURL(url: text) }
        return u
    }
}
