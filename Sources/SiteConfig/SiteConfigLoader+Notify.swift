import Foundation

/// `notify:`: the notification targets.
extension SiteConfigLoader.Reader {
    func notifyTarget(_ m: YMap) -> NotifyTarget? {
        m.check(allowed: ["id", "format", "url", "min_priority", "secret_file", "secret_env", "group_window_s", "rate_per_minute",
                          "timeout_s", "retry_max_s", "late_after_s"], in: "notify target")
        let id = m.required("id", in: "notify target")?.string("notify id")
        let label = "notify target '\(id ?? "?")'"
        let formats = ["standard", "alertmanager", "wecom", "dingtalk", "feishu"]
        var format: String?
        if let f = m.required("format", in: label), let text = f.string("format") {
            if formats.contains(text) { format = text } else {
                f.error("\(label) has unknown format '\(text)'; use one of \(formats.joined(separator: ", "))")
            }
        }
        let url = m.required("url", in: label)?.string("url")
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            m["url"]?.error("\(label) url must start with https:// (or http:// for a local receiver)")
        } else if let url, URLComponents(string: url)?.host?.isEmpty != false || URL(string: url) == nil {
            // Redacted: a bot's key is in its URL, and this message reaches the journal on a rejected reload.
            m["url"]?.error("\(label) url '\(Redaction.url(url))' is not a valid URL (spaces must be %20; the port must be a number)")
        }
        let minPriority = m["min_priority"].flatMap { priorityValue($0) } ?? .low
        guard let id, let format, let url else { return nil }
        if ["dingtalk", "feishu"].contains(format) && m["secret_file"] == nil && m["secret_env"] == nil {
            m.at.error("\(label): \(format) bots are signed; give the signing secret with secret_file or secret_env")
        }
        if let secret = m["secret_file"] ?? m["secret_env"] {
            hostRequirements.append(HostRequirement(.secret(notifyTarget: id), at: secret.location))
        }
        return NotifyTarget(id: id, format: format, url: url, minPriority: minPriority,
                            secretFile: m["secret_file"]?.scalarText, secretEnv: m["secret_env"]?.scalarText,
                            // An hour at most: a message is never held back longer to be grouped.
                            groupWindowSeconds: m["group_window_s"]?.double("group_window_s", in: 0...3600),
                            ratePerMinute: m["rate_per_minute"]?.int("rate_per_minute", in: 0...10000),
                            timeoutSeconds: m["timeout_s"]?.int("timeout_s", in: 1...300),
                            retryMaxSeconds: m["retry_max_s"]?.int("retry_max_s", in: 1...86400),
                            lateAfterSeconds: m["late_after_s"]?.int("late_after_s", in: 1...86400))
    }
}
