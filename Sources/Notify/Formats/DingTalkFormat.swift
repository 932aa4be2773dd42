import Crypto
public import Foundation
public import SiteConfig

/// DingTalk custom robot: markdown, `at.atMobiles`, and the signed URL.
public struct DingTalkFormat: ChatBotFormat {
    public init() {}
    public var name: String { "dingtalk" }
    public var maxTextBytes: Int { 4000 }
    public func problems(of target: NotifyTarget) -> [NotifyOptionProblem] { signedProblems(of: target) }

    public func encode(_ entries: [OutboxEntry], to target: ResolvedTarget, now: Date) throws -> (WebhookRequest, Int) {
        let (text, taken) = ChatText.compose(entries, limit: maxTextBytes - 200)
        let used = Array(entries.prefix(taken))
        let mobiles = ChatText.mobiles(used)
        // DingTalk shows the mention only when "@mobile" is in the text too.
        let markdown = text.replacingOccurrences(of: "\n", with: "\n\n") + "\n\n" + mobiles.map { "@\($0)" }.joined(separator: " ")
        let body: [String: Any] = ["msgtype": "markdown", "markdown": ["title": used[0].notification.title, "text": markdown],
                                   "at": ["atMobiles": mobiles, "isAtAll": false]]
        var url = try components(target.target.url)
        if let secret = target.secret {
            let ts = String(Int64(now.timeIntervalSince1970 * 1000))
            url.percentEncodedQueryItems = (url.percentEncodedQueryItems ?? []) + [
                URLQueryItem(name: "timestamp", value: ts),
                URLQueryItem(name: "sign", value: Self.sign(timestamp: ts, secret: secret)),
            ]
        }
        return (WebhookRequest(url: try url.url.orThrow(target.target.url), headers: ["content-type": "application/json"], body: try jsonData(body)), taken)
    }

    /// urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret))).
    static func sign(timestamp: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let b64 = Data(mac).base64EncodedString()
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return b64.addingPercentEncoding(withAllowedCharacters: allowed) ?? b64
    }

    public func classify(status: Int, headers: [String: String], body: Data) -> DeliveryOutcome {
        classifyHTTP(status: status, headers: headers) ?? chatOutcome(body, status: status, rateLimited: [130101, 410100], retryAfter: 600)
    }
}
