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

    /// The URL without its query (which may hold a key), for logs and status.
    public var redactedURL: String {
        guard var c = URLComponents(string: target.url) else { return "(invalid url)" }
        c.query = nil
        c.user = nil
        c.password = nil
        return c.string ?? "(invalid url)"
    }
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
        let retryAfter = headers.first { $0.key.lowercased() == "retry-after" }.flatMap { TimeInterval($0.value) }
        switch status {
        case 200..<300: return nil
        case 408, 425, 429, 500..<600: return .retry("HTTP \(status)", after: retryAfter)
        default: return .permanent("HTTP \(status)")
        }
    }
}

public enum WebhookFormats {
    public static func format(named name: String) -> any WebhookFormat {
        switch name {
        case "alertmanager": AlertmanagerFormat()
        case "wecom": WeComFormat()
        case "dingtalk": DingTalkFormat()
        case "feishu": FeishuFormat()
        default: StandardWebhookFormat()
        }
    }
}

/// Chat text for a batch: one full message, or a headline and one line per alarm.
enum ChatText {
    static func compose(_ entries: [OutboxEntry], limit: Int, mentionSuffix: String = "") -> (String, Int) {
        if entries.count == 1 {
            return (truncate(entries[0].notification.text + mentionSuffix, limit), 1)
        }
        let zones = entries.filter { $0.notification.alarm?.source.kind == .zone && $0.notification.kind == .raised }.count
        var taken = 0
        var lines: [String] = []
        var size = 0
        let site = entries[0].notification.site
        for e in entries {
            let line = "· " + e.notification.title
            if size + line.utf8.count + 200 > limit && taken > 0 { break }
            lines.append(line)
            size += line.utf8.count + 1
            taken += 1
        }
        let headline = zones == taken
            ? "\(taken) zones in alarm / \(taken) 个防区报警 (\(site)):"
            : "\(taken) alarms / \(taken) 条报警 (\(site)):"
        let leader = entries[0].notification.text.split(separator: "\n").last { $0.contains("值班班长") }.map(String.init) ?? ""
        return (truncate(([headline] + lines + [leader]).joined(separator: "\n") + mentionSuffix, limit), taken)
    }

    static func truncate(_ s: String, _ limit: Int) -> String {
        guard s.utf8.count > limit else { return s }
        var out = ""
        for ch in s {
            if out.utf8.count + String(ch).utf8.count > limit - 3 { break }
            out.append(ch)
        }
        return out + "…"
    }

    static func mobiles(_ entries: [OutboxEntry]) -> [String] {
        var seen: [String] = []
        for e in entries { for p in e.notification.recipients { if let m = p.mobile, !seen.contains(m) { seen.append(m) } } }
        return seen
    }
}
