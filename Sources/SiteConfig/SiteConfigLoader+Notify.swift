import Foundation

/// `notify:`: the notification targets. The formats and their own keys and rules come from the
/// catalog the loader is given (Notify's registry).
extension SiteConfigLoader.Reader {
    /// Keys every target has, whatever its format; the format adds its own (`url`, `secret_file`, ...).
    static let commonNotifyKeys = ["id", "format", "min_priority", "group_window_s", "rate_per_minute", "timeout_s",
                                   "retry_max_s", "late_after_s"]
    /// The order "known keys" lists them in, as it always has.
    static let notifyKeyOrder = ["id", "format", "url", "min_priority", "secret_file", "secret_env", "group_window_s",
                                 "rate_per_minute", "timeout_s", "retry_max_s", "late_after_s"]

    func notifyTarget(_ m: YMap) -> NotifyTarget? {
        let id = m.required("id", in: "notify target")?.string("notify id")
        let label = "notify target '\(id ?? "?")'"
        let catalog = loader.notifyFormats
        var format: String?
        if let f = m.required("format", in: label), let text = f.string("format") {
            if let catalog, catalog.optionKeys(of: text) == nil {
                f.error(catalog.unknownFormatMessage(text, target: label))
            } else { format = text }
        }
        // A format's own keys; for an unknown one, any format's (its keys are not the mistake).
        let formatKeys = format.flatMap { catalog?.optionKeys(of: $0) }
            ?? catalog.map { c in c.formatNames.flatMap { c.optionKeys(of: $0) ?? [] } }
            ?? ["url", "secret_file", "secret_env"]
        var allowed = Self.notifyKeyOrder.filter { Self.commonNotifyKeys.contains($0) || formatKeys.contains($0) }
        for key in formatKeys where !allowed.contains(key) { allowed.append(key) }
        m.check(allowed: allowed, in: "notify target")
        let url = m["url"]?.string("url")
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            m["url"]?.error("\(label) url must start with https:// (or http:// for a local receiver)")
        } else if let url, URLComponents(string: url)?.host?.isEmpty != false || URL(string: url) == nil {
            // Redacted: a bot's key is in its URL, and this message reaches the journal on a rejected reload.
            m["url"]?.error("\(label) url '\(Redaction.url(url))' is not a valid URL (spaces must be %20; the port must be a number)")
        }
        let minPriority = m["min_priority"].flatMap { priorityValue($0) } ?? .low
        guard let id, let format else { return nil }
        if let secret = m["secret_file"] ?? m["secret_env"] {
            hostRequirements.append(HostRequirement(.secret(notifyTarget: id), at: secret.location))
        }
        var options: [String: String] = [:]
        for key in m.keys where !Self.commonNotifyKeys.contains(key) { options[key] = m[key]?.scalarText ?? "" }
        let target = NotifyTarget(id: id, format: format, url: url ?? "", minPriority: minPriority,
                                  secretFile: m["secret_file"]?.scalarText, secretEnv: m["secret_env"]?.scalarText,
                                  // An hour at most: a message is never held back longer to be grouped.
                                  groupWindowSeconds: m["group_window_s"]?.double("group_window_s", in: 0...3600),
                                  ratePerMinute: m["rate_per_minute"]?.int("rate_per_minute", in: 0...10000),
                                  timeoutSeconds: m["timeout_s"]?.int("timeout_s", in: 1...300),
                                  retryMaxSeconds: m["retry_max_s"]?.int("retry_max_s", in: 1...86400),
                                  lateAfterSeconds: m["late_after_s"]?.int("late_after_s", in: 1...86400),
                                  options: options)
        // The format's own rules (a required url, a bot that must be signed), where they apply.
        for p in catalog?.problems(of: target) ?? [] {
            (p.key.flatMap { m[$0] } ?? m.at).error(p.message)
        }
        return target
    }
}
