import Foundation

/// `shifts:` (covering the day exactly once), the people on them, and `escalation:`.
extension SiteConfigLoader.Reader {
    func person(_ n: YNode, what: String) -> Person? {
        guard let m = n.map(what) else { return nil }
        m.check(allowed: ["name", "mobile", "chat_id"], in: what)
        guard let name = m.required("name", in: what)?.string("name") else { return nil }
        return Person(name: name, mobile: m["mobile"]?.string("mobile"), chatID: m["chat_id"]?.string("chat_id"))
    }

    func readShifts(_ top: YMap) -> [Shift] {
        guard let node = top["shifts"], let items = node.list("shifts") else { return [] }
        var shifts: [Shift] = []
        for item in items {
            guard let m = item.map("shift") else { continue }
            m.check(allowed: ["name", "start", "end", "leader"], in: "shift")
            let name = m.required("name", in: "shift")?.string("shift name")
            let start = m.required("start", in: "shift").flatMap { minutes($0, what: "shift start") }
            let end = m.required("end", in: "shift").flatMap { minutes($0, what: "shift end") }
            let leader = m.required("leader", in: "shift").flatMap { person($0, what: "shift leader") }
            if let name, let start, let end, let leader {
                if start % 1440 == end % 1440 && !(start == 0 && end == 1440) {
                    item.error("shift '\(name)' starts and ends at the same time")
                }
                shifts.append(Shift(name: name, start: start, end: end, leader: leader))
            }
        }
        // The shifts must cover the day exactly once: no gap (nobody on duty), no overlap (two leaders).
        if !shifts.isEmpty && shifts.count == items.count {
            var cover = [String?](repeating: nil, count: 1440)
            for s in shifts {
                var t = s.start % 1440
                let length = s.end > s.start ? s.end - s.start : s.end + 1440 - s.start
                for _ in 0..<length {
                    if let other = cover[t] {
                        node.error("shifts '\(other)' and '\(s.name)' overlap at \(String(format: "%02d:%02d", t / 60, t % 60))")
                        return shifts
                    }
                    cover[t] = s.name
                    t = (t + 1) % 1440
                }
            }
            if let gap = cover.firstIndex(where: { $0 == nil }) {
                node.error("no shift covers \(String(format: "%02d:%02d", gap / 60, gap % 60)); the shifts must cover all 24 hours")
            }
        }
        return shifts
    }

    /// `escalation:`: who is called when an alarm is not acknowledged, and when.
    func readEscalation(_ top: YMap) -> (supervisor: Person?, ackTimeout: Int, repeatSeconds: Int) {
        var supervisor: Person?
        var ackTimeout = 300, repeatS = 300
        if let e = top["escalation"]?.map("escalation") {
            e.check(allowed: ["ack_timeout_s", "repeat_s", "supervisor"], in: "escalation")
            ackTimeout = e["ack_timeout_s"]?.int("ack_timeout_s", in: 10...86400) ?? ackTimeout
            repeatS = e["repeat_s"]?.int("repeat_s", in: 10...86400) ?? repeatS
            supervisor = e["supervisor"].flatMap { person($0, what: "supervisor") }
        }
        return (supervisor, ackTimeout, repeatS)
    }

    /// Notifications without shifts name nobody on duty: loaded, but worth a warning.
    func checkSomeoneOnDuty(_ top: YMap, root: YNode, shifts: [Shift], notify: [Item<NotifyTarget>]) {
        if shifts.isEmpty && !notify.isEmpty && top["shifts"]?.node.sequence?.isEmpty != false {
            (top.keyNode("notify") ?? root).warning(
                "no shifts: notifications name nobody on duty and escalate to no leader; add shifts with a leader each")
        }
    }
}
