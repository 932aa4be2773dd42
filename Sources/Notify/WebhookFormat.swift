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

/// A chat-group bot (WeCom, DingTalk, Feishu): told only what needs a person, grouped and paced.
public protocol ChatBotFormat: WebhookFormat {}

extension ChatBotFormat {
    /// A second to gather a burst into one message; 20 a minute is what WeCom and DingTalk allow.
    public var pacing: NotifyPacing { NotifyPacing(groupWindowSeconds: 1, ratePerMinute: 20) }

    /// Raised, re-activated, escalated, delivery failures and repair requests; acknowledgements and
    /// resolutions go to incident systems (`standard`, `alertmanager`), which close what they opened.
    public func wants(_ kind: Notification.Kind) -> Bool {
        [.raised, .reactivated, .escalated, .deliveryFailure, .repairRequired].contains(kind)
    }

    /// A bot that checks signatures refuses every unsigned message: say so at check-config.
    func signedProblems(of target: NotifyTarget) -> [NotifyOptionProblem] {
        var out = [missing("url", in: target)].compactMap { $0 }
        if target.options["secret_file"] == nil && target.options["secret_env"] == nil {
            out.append(NotifyOptionProblem("\(target.label): \(name) bots are signed; give the signing secret with secret_file or secret_env"))
        }
        return out
    }
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
