import Alarms
public import Foundation
import SiteConfig

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
