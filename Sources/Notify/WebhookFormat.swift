import Alarms
public import Foundation
public import SiteConfig

/// An HTTP request ready to send.
public struct WebhookRequest: Sendable {
    public var url: URL
    public var headers: [String: String]
    public var body: Data
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

/// One wire format: how a batch of notifications becomes one request, and how to read the answer.
public protocol WebhookFormat: Sendable {
    /// The largest body a receiver accepts (chat bots cap their message size).
    var maxTextBytes: Int { get }
    /// Encodes as many entries from the head of `entries` as fit; returns the request and how many it took.
    func encode(_ entries: [OutboxEntry], to target: ResolvedTarget, now: Date) throws -> (WebhookRequest, Int)
    func classify(status: Int, headers: [String: String], body: Data) -> DeliveryOutcome
}

extension WebhookFormat {
    public var maxTextBytes: Int { 1 << 20 }

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

/// Every wire format, by the name a target's `format:` gives.
public enum WebhookFormats {
    static let byName: [String: any WebhookFormat] = [
        "standard": StandardWebhookFormat(), "alertmanager": AlertmanagerFormat(), "wecom": WeComFormat(),
        "dingtalk": DingTalkFormat(), "feishu": FeishuFormat(),
    ]

    /// Chat-group bots: grouped and paced by default, short texts, mobiles to mention.
    public static func isChat(_ name: String) -> Bool { ["wecom", "dingtalk", "feishu"].contains(name) }

    /// The known names, sorted.
    public static var names: [String] { byName.keys.sorted() }

    /// The format named `name`; nil for a name no format has (never a silent fallback to another).
    public static func format(named name: String) -> (any WebhookFormat)? { byName[name] }
}

/// Chat text for a batch: one full message, or a headline and one line per alarm.
///
/// A bot caps its message size. When text must be cut, the middle goes: the first line (what happened)
/// and the closing lines (the leader on duty, the supervisor, the mentions) always arrive.
enum ChatText {
    static func compose(_ entries: [OutboxEntry], limit: Int, mentionSuffix: String = "") -> (String, Int) {
        if entries.count == 1 {
            let lines = entries[0].notification.text.components(separatedBy: "\n")
            let split = lines.firstIndex { isClosing($0) } ?? lines.count
            let tail = lines[split...].joined(separator: "\n") + mentionSuffix
            return (fit(head: lines[0], body: lines.dropFirst().prefix(split - 1).joined(separator: "\n"), tail: tail, limit: limit), 1)
        }
        let site = entries[0].notification.site
        let closing = entries[0].notification.text.components(separatedBy: "\n").filter { isClosing($0) }
        let tail = closing.joined(separator: "\n") + mentionSuffix
        // Room for the lines: the limit less the headline (at most ~100 bytes) and the closing lines.
        let room = limit - tail.utf8.count - 120
        var taken = 0
        var lines: [String] = []
        var size = 0
        for e in entries {
            let line = "· " + e.notification.title
            if size + line.utf8.count + 1 > room && taken > 0 { break }
            lines.append(line)
            size += line.utf8.count + 1
            taken += 1
        }
        let zones = entries.prefix(taken).filter { $0.notification.alarm?.source.kind == .zone && $0.notification.kind == .raised }.count
        let headline = zones == taken
            ? "\(taken) zones in alarm / \(taken) 个防区报警 (\(site)):"
            : "\(taken) alarms / \(taken) 条报警 (\(site)):"
        return (fit(head: headline, body: lines.joined(separator: "\n"), tail: tail, limit: limit), taken)
    }

    /// The leader on duty and the supervisor close every notification text.
    static func isClosing(_ line: String) -> Bool { line.hasPrefix("值班班长") || line.hasPrefix("主管") }

    /// `head`, `body` and `tail` on their own lines within `limit` bytes, cutting `body` first, then `head`.
    static func fit(head: String, body: String, tail: String, limit: Int) -> String {
        let parts = [head, body, tail].filter { !$0.isEmpty }
        let full = parts.joined(separator: "\n")
        guard full.utf8.count > limit else { return full }
        let tailPart = tail.isEmpty ? "" : "\n" + tail
        let headRoom = limit - tailPart.utf8.count
        guard headRoom > 8 else { return truncate(full, limit) }
        if head.utf8.count + 4 >= headRoom || body.isEmpty {
            return truncate(head, headRoom) + tailPart
        }
        let bodyRoom = headRoom - head.utf8.count - 1
        return head + "\n" + truncate(body, bodyRoom) + tailPart
    }

    /// `s` cut at a character boundary to at most `limit` bytes, ending in "…" when cut.
    static func truncate(_ s: String, _ limit: Int) -> String {
        guard s.utf8.count > limit else { return s }
        var out = ""
        var size = 0
        for ch in s {
            let n = String(ch).utf8.count
            if size + n > limit - 3 { break }
            out.append(ch)
            size += n
        }
        return out + "…"
    }

    static func mobiles(_ entries: [OutboxEntry]) -> [String] {
        var seen: [String] = []
        for e in entries { for p in e.notification.recipients { if let m = p.mobile, !seen.contains(m) { seen.append(m) } } }
        return seen
    }
}
