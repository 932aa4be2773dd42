import Crypto
public import Foundation
public import SiteConfig

/// Feishu custom bot: text with `<at>` for chat users, signed in the body.
public struct FeishuFormat: ChatBotFormat {
    public init() {}
    public var name: String { "feishu" }
    public var maxTextBytes: Int { 4000 }
    /// 100 a minute per bot.
    public var pacing: NotifyPacing { NotifyPacing(groupWindowSeconds: 1, ratePerMinute: 100) }
    public func problems(of target: NotifyTarget) -> [NotifyOptionProblem] { signedProblems(of: target) }

    public func encode(_ entries: [OutboxEntry], to target: ResolvedTarget, now: Date) throws -> (WebhookRequest, Int) {
        var seen = Set<String>()
        var mentions = ""
        for e in entries {
            for p in e.notification.recipients where !seen.contains(p.name) {
                seen.insert(p.name)
                mentions += p.chatID.map { " <at user_id=\"\($0)\">\(p.name)</at>" } ?? " @\(p.name)"
            }
        }
        let (text, taken) = ChatText.compose(entries, limit: maxTextBytes - mentions.utf8.count, mentionSuffix: "\n" + mentions)
        var body: [String: Any] = ["msg_type": "text", "content": ["text": text]]
        if let secret = target.secret {
            let ts = String(Int(now.timeIntervalSince1970))
            body["timestamp"] = ts
            body["sign"] = Self.sign(timestamp: ts, secret: secret)
        }
        return (WebhookRequest(url: try url(target.target.url), headers: ["content-type": "application/json"],
                               body: try jsonData(body)), taken)
    }

    /// base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = empty)).
    static func sign(timestamp: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8)))
        return Data(mac).base64EncodedString()
    }

    public func classify(status: Int, headers: [String: String], body: Data) -> DeliveryOutcome {
        classifyHTTP(status: status, headers: headers) ?? chatOutcome(body, status: status, rateLimited: [9499, 11232, 11233], retryAfter: 60)
    }
}
