public import Alarms
import Foundation
public import SiteConfig

/// The leader's message in the site's language: a headline by what happened, where (zone and
/// area), when (site time) and for how long, the cameras, what to do, the alarm's number, state
/// and priority in words, a link to it on the board, the leader on duty and the escalation
/// deadline. Pure: the same alarm and event give the same text.
public struct MessageText: Sendable {
    public let config: SiteConfig
    public let language: MessageLanguage
    /// The board's base URL ("http://10.0.5.2:8080"); nil: no link.
    public let boardURL: String?


    public init(config: SiteConfig, boardURL: String? = nil) {
        self.config = config
        language = config.language
        self.boardURL = boardURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    var zh: Bool { language == .zhCN }

    // MARK: words

    /// What happened, as a leader says it: 周界报警, 火警, 设备通信中断, ...
    public func headline(_ alarm: Alarm) -> String {
        let (zhWord, enWord) = headlineWords(alarm)
        return zh ? zhWord : enWord
    }

    private func headlineWords(_ a: Alarm) -> (String, String) {
        let humidity = a.source.kind == .sensor && (config.sensor(id: a.source.id).map { $0.input.point.lowercased().contains("humid") } ?? false)
        let words = AlarmVocabulary.headline(source: a.source.kind, condition: a.condition, category: a.category, humidity: humidity)
        return (words.zh, words.en)
    }

    public func priorityWord(_ p: Priority) -> String {
        guard zh else { return p.rawValue }
        return switch p {
        case .critical: "紧急"
        case .high: "高"
        case .medium: "中"
        case .low: "低"
        case .info: "提示"
        }
    }

    public func stateWord(_ s: AlarmState) -> String {
        guard zh else { return s.rawValue }
        return switch s {
        case .unacknowledged: "未确认"
        case .acknowledged: "已确认"
        case .returnedUnacknowledged: "已恢复，未确认"
        case .awaitingReset: "已确认，待复位"
        case .normal: "已关闭"
        }
    }

    /// The alarm's name without the English half the engine adds to system alarms ("录像停止 recording stopped").
    func name(_ a: Alarm) -> String { Self.name(a, zh: zh) }

    static func name(_ a: Alarm, zh: Bool) -> String {
        guard zh else { return a.name }
        if let slash = a.name.range(of: " / ") { return String(a.name[..<slash.lowerBound]) }
        // "1号录像机 录像停止 recording stopped": drop a trailing run of ASCII words.
        var words = a.name.split(separator: " ", omittingEmptySubsequences: false)
        while words.count > 1, let last = words.last, last.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) { words.removeLast() }
        return words.joined(separator: " ")
    }

    func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return zh ? "\(s) 秒" : "\(s) s" }
        if s < 3600 { return zh ? "\(s / 60) 分钟" : "\(s / 60) min" }
        let h = s / 3600, m = (s % 3600) / 60
        return zh ? "\(h) 小时\(m > 0 ? " \(m) 分钟" : "")" : "\(h) h\(m > 0 ? " \(m) min" : "")"
    }

    func time(_ d: Date) -> String { LocalTime.format(d, zone: config.timezone) }

    func person(_ p: Person) -> String { "\(p.name)\(p.mobile.map { " \($0)" } ?? "")" }

    // MARK: messages

    /// What kind of message, before the headline: nothing for a first raise.
    func kindWord(_ kind: Notification.Kind) -> String? {
        switch kind {
        case .raised, .deliveryFailure: nil
        case .reactivated: zh ? "再次报警" : "Again"
        case .escalated: zh ? "未确认升级" : "Escalated"
        case .acknowledged: zh ? "已确认" : "Acknowledged"
        case .resolved: zh ? "已恢复" : "Resolved"
        case .repairRequired: zh ? "需要维修" : "Repair required"
        }
    }

    /// "[高] 周界报警：北围墙东段" / "[high] Escalated · Perimeter alarm: 北围墙东段".
    public func title(_ kind: Notification.Kind, alarm: Alarm) -> String {
        let head = headline(alarm)
        let what = [kindWord(kind), head].compactMap { $0 }.joined(separator: " · ")
        // "1号录像机 录像保存不足" under the headline 录像保存不足: the name need not say it twice.
        var named = name(alarm)
        if named.hasSuffix(" " + head) { named = String(named.dropLast(head.count + 1)) }
        // The id of a zone, sensor or device helps whoever looks it up; a system alarm's id is an engine word.
        let id = alarm.source.kind == .system ? "" : zh ? "（\(alarm.source.id)）" : " (\(alarm.source.id))"
        return "[\(priorityWord(alarm.priority))] \(what)\(zh ? "：" : ": ")\(named)\(id)"
    }

    /// The whole message for an alarm event: the title, then one fact a line, the leader and the escalation last.
    public func lines(_ kind: Notification.Kind, alarm a: Alarm, event: AlarmEvent, shift: Shift?, supervisor: Person?) -> [String] {
        var lines = [title(kind, alarm: a)]
        let sep = zh ? "：" : ": "
        let zone = a.source.kind == .zone ? config.zone(id: a.source.id) : nil
        // Where.
        var place = [config.siteName]
        if let areaID = zone?.area { place.append(config.areas.first { $0.id == areaID }?.name ?? areaID) }
        let sourceWord: String = switch a.source.kind {
        case .zone: zh ? "防区" : "zone"
        case .sensor: zh ? "传感器" : "sensor"
        case .equipment: zh ? "设备" : "equipment"
        case .device: zh ? "设备" : "device"
        case .system: zh ? "系统" : "system"
        }
        // A system alarm's id is an engine word ("self-test", "notify-wecom"): the name says it.
        if a.source.kind != .system || !zh { place.append("\(sourceWord) \(a.source.id)") }
        lines.append((zh ? "位置" : "Where") + sep + place.joined(separator: " · "))
        // When, and how long it has been open.
        let open = event.time.timeIntervalSince(a.raisedAt)
        let since: String
        if kind == .resolved {
            since = zh ? "（历时 \(duration(open))）" : " (open \(duration(open)))"
        } else if open < 60 {
            since = zh ? "（刚刚发生）" : " (just now)"
        } else {
            since = zh ? "（\(time(a.raisedAt)) 发生，已持续 \(duration(open))）" : " (raised \(time(a.raisedAt)), open \(duration(open)))"
        }
        lines.append((zh ? "时间" : "Time") + sep + time(event.time) + since)
        if a.source.kind == .sensor, let v = a.value, Double(v) != nil {
            let sensor = config.sensor(id: a.source.id)
            let limit = a.condition == .low ? sensor?.low : sensor?.high
            let bound = limit.map { zh ? "（\(a.condition == .low ? "下限" : "上限") \(Self.number($0))）" : " (limit \(Self.number($0)))" } ?? ""
            lines.append((zh ? "读数" : "Reading") + sep + v + bound)
        }
        if let cameras = zone?.cameras, !cameras.isEmpty { lines.append((zh ? "摄像机" : "Cameras") + sep + cameras.joined(separator: zh ? "、" : ", ")) }
        if kind != .resolved, kind != .acknowledged, let zone {
            let todo = config.instructions(for: zone)
            lines.append((zh ? "处置" : "What to do") + sep + todo)
        }
        if let user = event.user {
            let who = kind == .acknowledged ? (zh ? "确认人" : "Acknowledged by") : kind == .resolved ? (zh ? "复位人" : "Reset by") : (zh ? "操作人" : "By")
            lines.append(who + sep + user)
        }
        if kind == .resolved, let note = a.notes.last { lines.append((zh ? "处理情况" : "Handling note") + sep + note.text) }
        if !zh, let text = event.text { lines.append(text) }
        lines.append(zh ? "报警编号 #\(a.id) · 状态 \(stateWord(a.state)) · 优先级 \(priorityWord(a.priority))"
                        : "Alarm #\(a.id) · state \(a.state.rawValue) · priority \(a.priority.rawValue)")
        if let link = link(a) { lines.append((zh ? "查看" : "Open") + sep + link) }
        if let leader = shift?.leader {
            lines.append(zh ? "值班班长：\(person(leader))" : "Shift leader (\(shift!.name)): \(person(leader))")
        }
        let waiting = a.state == .unacknowledged || a.state == .returnedUnacknowledged
        if let supervisor, waiting {
            if kind == .escalated {
                lines.append(zh ? "主管：\(person(supervisor))（已超过 \(duration(TimeInterval(config.ackTimeoutSeconds)))未确认，已升级）"
                                : "Supervisor: \(person(supervisor)) (not acknowledged within \(duration(TimeInterval(config.ackTimeoutSeconds))))")
            } else if [.raised, .reactivated, .deliveryFailure].contains(kind), config.ackTimeoutSeconds > 0 {
                lines.append(zh ? "\(duration(TimeInterval(config.ackTimeoutSeconds)))内未确认将升级至 \(supervisor.name)"
                                : "Escalates to \(supervisor.name) if not acknowledged within \(duration(TimeInterval(config.ackTimeoutSeconds)))")
            }
        }
        return lines
    }

    /// "Repair required" for a failed zone self-test or equipment-check item.
    public func repairLines(_ event: AlarmEvent, shift: Shift?) -> [String] {
        let sep = zh ? "：" : ": "
        var lines: [String]
        let detail = event.text.map { String($0.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces) } ?? ""
        if event.kind == .selfTestResult {
            let zone = event.zone.flatMap { config.zone(id: $0) }
            let name = zone?.name ?? event.zone ?? "?"
            let id = event.zone ?? "?"
            lines = [zh ? "[高] 需要维修 · 自检失败：\(name)（\(id)）" : "[high] Repair required · Self-test failed: \(name) (\(id))"]
            lines.append((zh ? "位置" : "Where") + sep + "\(config.siteName) · \(zh ? "防区" : "zone") \(event.zone ?? "?")")
            if !zh, !detail.isEmpty { lines.append("Reason: \(detail)") }
            if zh { lines.append("原因：\(Self.selfTestReason(event.text ?? ""))") }
        } else {
            lines = [zh ? "[高] 需要维修 · 设备检查未通过：\(checkItem(detail))" : "[high] Repair required · Equipment check failed: \(detail)"]
            lines.append((zh ? "位置" : "Where") + sep + config.siteName)
        }
        lines.append((zh ? "时间" : "Time") + sep + time(event.time))
        lines.append(zh ? "处置：请安排维修，修复后重新检查并记录。" : "What to do: have it repaired, then check it again and record it.")
        if let leader = shift?.leader { lines.append(zh ? "值班班长：\(person(leader))" : "Shift leader (\(shift!.name)): \(person(leader))") }
        return lines
    }

    /// A failed equipment-check item in Chinese, by what it names (the check's own words are English):
    /// "设备 机房温湿度（th-1）通信中断"; an item of another shape is kept as it is.
    func checkItem(_ detail: String) -> String {
        func named(_ kind: String, _ id: String, _ name: String?) -> Bool { detail.hasPrefix("\(kind) \(id) ") || detail == "\(kind) \(id)" }
        if let d = config.devices.first(where: { named("device", $0.id, $0.name) }) {
            let what = detail.contains("comm-lost") ? "通信中断" : detail.contains("not answered") ? "尚未应答" : "检查未通过"
            return "设备 \(d.name.map { "\($0)（\(d.id)）" } ?? d.id)\(what)"
        }
        if let s = config.sensors.first(where: { named("sensor", $0.id, $0.name) }) {
            let what = detail.contains("no fresh value") || detail.contains("no reading") ? "无最新读数" : "读数超出范围"
            return "传感器 \(s.name)（\(s.id)）\(what)"
        }
        if let e = config.equipment.first(where: { named("equipment", $0.id, $0.name) }) { return "\(e.name)（\(e.id)）报警中" }
        if let r = config.recorders.first(where: { named("recorder", $0.id, $0.name) }) { return "录像机 \(r.name)（\(r.id)）存储检查未通过" }
        if detail.contains("clock") { return "系统时钟与报警日志不一致" }
        return detail
    }

    /// The engine's self-test reason in words a leader reads ("fail (active test): no trip within 10 s").
    static func selfTestReason(_ text: String) -> String {
        let walk = text.contains("walk test")
        if text.contains("zone in tamper") { return "防区处于防拆状态，无法自检" }
        if text.contains("zone in fault") { return "防区故障，无法自检" }
        if text.contains("restore") { return walk ? "步测中探测器触发后未恢复" : "测试输出断开后防区未恢复" }
        return walk ? "步测时限内探测器未触发" : "测试输出动作后防区未报警"
    }

    /// The board's page for the alarm, when the board is configured.
    public func link(_ a: Alarm) -> String? { boardURL.map { "\($0)/?alarm=\(a.id)" } }

    /// A grouped message's title, counting what it holds: "4 个防区报警：北围墙西段等".
    /// The language is the first notification's (each carries its site's).
    public static func groupTitle(_ notifications: [Notification]) -> String {
        let zh = ((notifications.first?.language).flatMap(MessageLanguage.init(rawValue:)) ?? .zhCN) == .zhCN
        let count = notifications.count
        let zones = notifications.allSatisfy { $0.alarm?.source.kind == .zone && $0.kind == .raised }
        let first = notifications.first.flatMap { n in n.alarm.map { name($0, zh: zh) } } ?? notifications.first?.title ?? ""
        if zh { return zones ? "\(count) 个防区报警：\(first)等" : "\(count) 条报警：\(first)等" }
        return zones ? "\(count) zones in alarm: \(first) and others" : "\(count) alarms: \(first) and others"
    }

    /// Closing lines (the leader, the supervisor, the escalation deadline): a chat bot keeps them when it cuts a message.
    public static func isClosing(_ line: String) -> Bool {
        ["值班班长", "主管", "Shift leader", "Supervisor", "Escalates to"].contains { line.hasPrefix($0) } || line.contains("内未确认将升级至")
    }

    static func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
