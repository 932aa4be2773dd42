import Alarms
import Crypto
public import Foundation
import SiteConfig

/// Standard Webhooks: a signed JSON body; `webhook-id` is stable across retries.
public struct StandardWebhookFormat: WebhookFormat {
    public init() {}
    public var name: String { "standard" }

    public func encode(_ entries: [OutboxEntry], to target: ResolvedTarget, now: Date) throws -> (WebhookRequest, Int) {
        let payloads: [[String: Any]] = entries.map { e in
            var data: [String: Any] = ["id": e.messageID, "title": e.notification.title, "text": e.notification.text,
                                       "site": e.notification.site, "kind": e.notification.kind.rawValue,
                                       "time": iso(e.notification.time),
                                       "recipients": e.notification.recipients.map { ["name": $0.name, "mobile": $0.mobile ?? ""] }]
            if let a = e.notification.alarm {
                data["alarm"] = ["id": a.id, "source_kind": a.source.kind.rawValue, "source_id": a.source.id, "name": a.name,
                                 "category": a.category, "condition": a.condition.rawValue, "priority": a.priority.rawValue,
                                 "state": a.state.rawValue]
            }
            return data
        }
        let id = OutboxEntry.batchID(entries)
        let body: [String: Any] = entries.count == 1
            ? ["type": "alarm.\(entries[0].notification.kind.rawValue)", "timestamp": iso(now), "data": payloads[0]]
            : ["type": "alarm.batch", "timestamp": iso(now), "data": payloads]
        let data = try jsonData(body)
        let ts = String(Int(now.timeIntervalSince1970))
        var headers = ["content-type": "application/json", "webhook-id": id, "webhook-timestamp": ts]
        if let secret = target.secret {
            headers["webhook-signature"] = "v1," + Self.signature(id: id, timestamp: ts, body: data, secret: secret)
        }
        return (WebhookRequest(url: try url(target.target.url), headers: headers, body: data), entries.count)
    }

    /// base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key being the base64 after `whsec_`.
    static func signature(id: String, timestamp: String, body: Data, secret: String) -> String {
        let keyData: Data = secret.hasPrefix("whsec_") ? (Data(base64Encoded: String(secret.dropFirst(6))) ?? Data(secret.utf8)) : Data(secret.utf8)
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: keyData))
        return Data(mac).base64EncodedString()
    }

    public func classify(status: Int, headers: [String: String], body: Data) -> DeliveryOutcome {
        classifyHTTP(status: status, headers: headers) ?? .delivered
    }
}
