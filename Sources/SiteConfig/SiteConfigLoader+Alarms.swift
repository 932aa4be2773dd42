/// `alarms:`, `journal:` and `self_test:`: small sections of alarm-handling limits.
extension SiteConfigLoader.Reader {
    /// `alarms:` and `journal:`: how long an alarm may be shelved, how long events are kept.
    func readAlarmLimits(_ top: YMap) -> (maxShelveMinutes: Int, keepEventsDays: Int) {
        var maxShelveMinutes = 480, keepEventsDays = 400
        if let a = top["alarms"]?.map("alarms") {
            a.check(allowed: ["max_shelve_minutes"], in: "alarms")
            maxShelveMinutes = a["max_shelve_minutes"]?.int("max_shelve_minutes", in: 1...10080) ?? maxShelveMinutes
        }
        if let j = top["journal"]?.map("journal") {
            j.check(allowed: ["keep_events_days"], in: "journal")
            if let k = j["keep_events_days"], let v = k.int("keep_events_days", in: 1...36500) {
                if v < LegalRetention.days {
                    k.error("keep_events_days \(v) is below \(LegalRetention.days): the journal keeps alarm records at least \(LegalRetention.days) days (\(LegalRetention.citation))")
                } else { keepEventsDays = v }
            }
        }
        return (maxShelveMinutes, keepEventsDays)
    }

    /// `self_test:`: the active test's timeout and the walk test's window.
    func readSelfTest(_ top: YMap) -> (timeoutSeconds: Int, walkWindowMinutes: Double) {
        var testTimeout = 10, walkWindow = 30.0
        if let t = top["self_test"]?.map("self_test") {
            t.check(allowed: ["timeout_s", "walk_window_min"], in: "self_test")
            testTimeout = t["timeout_s"]?.int("timeout_s", in: 1...600) ?? testTimeout
            if let w = t["walk_window_min"], let v = w.double("walk_window_min", in: 0...480) {
                if v > 0 { walkWindow = v } else { w.error("walk_window_min must be more than 0 and at most 480") }
            }
        }
        return (testTimeout, walkWindow)
    }
}
