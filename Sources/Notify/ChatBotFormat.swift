import Alarms
import Foundation
import SiteConfig

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

/// A chat bot's JSON answer: `errcode` (WeCom, DingTalk) or `code` / `StatusCode` (Feishu), 0 meaning success.
///
/// A 200 whose body is not such an object (a captive portal, a proxy's page or its own JSON without
/// a result code, a cut answer) is not a delivery: the bot may never have seen the message, so it
/// is retried. (A 204 says there is no body by design: delivered.)
func chatOutcome(_ body: Data, status: Int, rateLimited: Set<Int>, retryAfter: TimeInterval) -> DeliveryOutcome {
    if status == 204 { return .delivered }
    let obj = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    guard let obj, let code = (obj["errcode"] as? Int) ?? (obj["code"] as? Int) ?? (obj["StatusCode"] as? Int) else {
        return .retry("unreadable answer (HTTP \(status) with \(body.count) bytes that are not the bot's JSON)", after: nil)
    }
    let message = (obj["errmsg"] as? String) ?? (obj["msg"] as? String) ?? (obj["StatusMessage"] as? String) ?? ""
    if code == 0 { return .delivered }
    if rateLimited.contains(code) { return .retry("rate limited (\(code) \(message))", after: retryAfter) }
    return .permanent("bot answered \(code): \(message)")
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
        // The title counts what this message holds: "4 个防区报警：北围墙西段等".
        let headline = MessageText.groupTitle(entries.prefix(taken).map(\.notification))
        return (fit(head: headline, body: lines.joined(separator: "\n"), tail: tail, limit: limit), taken)
    }

    /// The leader on duty and the supervisor close every notification text.
    static func isClosing(_ line: String) -> Bool { MessageText.isClosing(line) }

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
