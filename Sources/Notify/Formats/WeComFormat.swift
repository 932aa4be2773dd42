public import Foundation
import SiteConfig

/// WeCom group robot: text with the leader's mobile mentioned.
public struct WeComFormat: ChatBotFormat {
    public init() {}
    public var name: String { "wecom" }
    public var maxTextBytes: Int { 2048 }

    public func encode(_ entries: [OutboxEntry], to target: ResolvedTarget, now: Date) throws -> (WebhookRequest, Int) {
        let (text, taken) = ChatText.compose(entries, limit: maxTextBytes)
        let used = Array(entries.prefix(taken))
        let body: [String: Any] = ["msgtype": "text", "text": ["content": text, "mentioned_mobile_list": ChatText.mobiles(used)]]
        var url = try components(target.target.url)
        if let key = target.secret {
            url.queryItems = (url.queryItems ?? []).filter { $0.name != "key" } + [URLQueryItem(name: "key", value: key)]
        }
        return (WebhookRequest(url: try url.url.orThrow(target.target.url), headers: ["content-type": "application/json"], body: try jsonData(body)), taken)
    }

    public func classify(status: Int, headers: [String: String], body: Data) -> DeliveryOutcome {
        classifyHTTP(status: status, headers: headers) ?? chatOutcome(body, status: status, rateLimited: [45009, 45033, -1], retryAfter: 60)
    }
}
