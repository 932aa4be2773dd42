/// `recordings:` and `visitors:`: the duty records' settings.
extension SiteConfigLoader.Reader {
    /// `recordings:` and `visitors:` (approvers, hold window, check interval).
    func readDuty(_ top: YMap) -> DutySettings {
        var d = DutySettings()
        if let r = top["recordings"]?.map("recordings") {
            r.check(allowed: ["approvers", "hold_before_min", "hold_after_min", "hold_days", "check_interval_s"], in: "recordings")
            d.playbackApprovers = r["approvers"]?.stringList("recordings approvers") ?? []
            d.holdBeforeSeconds = (r["hold_before_min"]?.int("hold_before_min", in: 0...1440)).map { $0 * 60 } ?? d.holdBeforeSeconds
            d.holdAfterSeconds = (r["hold_after_min"]?.int("hold_after_min", in: 0...1440)).map { $0 * 60 } ?? d.holdAfterSeconds
            d.holdDays = r["hold_days"]?.int("hold_days", in: 1...3650) ?? d.holdDays
            d.retentionCheckSeconds = r["check_interval_s"]?.int("check_interval_s", in: 1...86400) ?? d.retentionCheckSeconds
        }
        if let v = top["visitors"]?.map("visitors") {
            v.check(allowed: ["approvers"], in: "visitors")
            d.visitorApprovers = v["approvers"]?.stringList("visitors approvers") ?? []
        }
        return d
    }
}
