import Alarms
import Crypto
public import Foundation
public import SiteConfig

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

/// Alertmanager's webhook v4 body, so existing Alertmanager receivers accept it.
public struct AlertmanagerFormat: WebhookFormat {
    public init() {}
    public var name: String { "alertmanager" }

    public func encode(_ entries: [OutboxEntry], to target: ResolvedTarget, now: Date) throws -> (WebhookRequest, Int) {
        let alerts: [[String: Any]] = entries.map { e in
            let n = e.notification
            let a = n.alarm
            var labels: [String: String] = ["alertname": "Watchroom\(a?.condition.rawValue.capitalized.replacingOccurrences(of: "-", with: "") ?? "Notice")",
                                            "site": n.site, "severity": n.priority.rawValue]
            if let a {
                labels["source_kind"] = a.source.kind.rawValue
                labels["source"] = a.source.id
                labels["alarm_id"] = String(a.id)
                labels["category"] = a.category
            }
            let resolved = n.isResolved
            return [
                "status": resolved ? "resolved" : "firing",
                "labels": labels,
                "annotations": ["summary": n.title, "description": n.text,
                                "leader": n.recipients.first.map { "\($0.name) \($0.mobile ?? "")" } ?? ""],
                "startsAt": iso(a?.raisedAt ?? n.time),
                "endsAt": resolved ? iso(n.time) : "0001-01-01T00:00:00Z",
                "generatorURL": "watchroom://\(n.site)/alarms/\(a?.id ?? 0)",
                "fingerprint": String(format: "%016llx", UInt64(bitPattern: Int64(a?.id ?? 0)) &* 0x9E37_79B9_7F4A_7C15),
            ]
        }
        let firing = alerts.contains { ($0["status"] as? String) == "firing" }
        let body: [String: Any] = [
            "version": "4", "groupKey": "{}:{site=\"\(entries[0].notification.site)\"}", "truncatedAlerts": 0,
            "status": firing ? "firing" : "resolved", "receiver": target.target.id,
            "groupLabels": ["site": entries[0].notification.site], "commonLabels": ["site": entries[0].notification.site],
            "commonAnnotations": [String: String](), "externalURL": "watchroom://\(entries[0].notification.site)", "alerts": alerts,
        ]
        let id = OutboxEntry.batchID(entries)
        return (WebhookRequest(url: try url(target.target.url), headers: ["content-type": "application/json", "webhook-id": id],
                               body: try jsonData(body)), entries.count)
    }

    public func classify(status: Int, headers: [String: String], body: Data) -> DeliveryOutcome {
        classifyHTTP(status: status, headers: headers) ?? .delivered
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

extension Optional where Wrapped == URL {
    func orThrow(_ text: String) throws -> URL {
        guard let u = self else { throw BadURL(url: text) }
        return u
    }
}
