@testable import Alarms
import Foundation
@testable import Notify
import SiteConfig
import Testing

/// The leader's message for each condition, as each format carries it, against golden files a
/// person reviewed (Tests/NotifyTests/Golden/LANG/CASE.txt). WATCHROOM_UPDATE_GOLDEN=1 rewrites them.
@Suite("the leader's message, golden")
struct MessageGoldenTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func yaml(language: String) -> String {
        """
        site: {name: 东区园区监控中心, timezone: Asia/Shanghai, language: \(language)}
        state_dir: /tmp/watchroom-golden
        profiles: [\(devicesFolder)]
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: 15020}}
          - {id: rs485, tcp: {host: 127.0.0.1, port: 15021}}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: generic-di-16, name: 1号开关量模块}
          - {id: th-1, bus: rs485, unit: 1, profile: xy-md02, name: 机房温湿度}
        areas:
          - {id: north, name: 北区}
        instructions:
          fire: 立即派人到现场确认火情，确认后拨打 119，并通知物业经理。
        zones:
          - {id: Z01, name: 北围墙东段, type: perimeter, input: "di-1.di[0]", area: north, cameras: [C03]}
          - {id: Z02, name: 北围墙西段, type: perimeter, input: "di-1.di[1]", area: north, cameras: [C03, C04], instructions: 调看 C03、C04，派巡逻岗到北门外核查。}
          - {id: Z03, name: 北门, type: perimeter, input: "di-1.di[2]", area: north}
          - {id: Z04, name: 北门岗亭, type: perimeter, input: "di-1.di[3]", area: north}
          - {id: H01, name: 财务室, type: 24h, input: "di-1.di[4]"}
          - {id: F01, name: 消防主机火警, type: fire, input: "di-1.di[5]"}
          - {id: P01, name: 前台紧急按钮, type: panic, input: "di-1.di[6]"}
          - {id: T01, name: 主机箱防拆, type: tamper, input: "di-1.di[7]"}
        sensors:
          - {id: room-temp, name: 机房温度, input: th-1.temperature, low: 5, high: 40}
          - {id: room-rh, name: 机房湿度, input: th-1.humidity, high: 80}
        recorders:
          - {id: NVR-1, name: 1号录像机, cameras: [C03, C04], retention_days: 30}
        equipment:
          - {id: ups-1, name: UPS 市电中断, input: "di-1.di[15]", alarm_when: true, priority: high}
        shifts:
          - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
          - {name: night, start: "20:00", end: "08:00", leader: {name: 李强, mobile: "13800000002"}}
        escalation: {ack_timeout_s: 300, supervisor: {name: 王主管, mobile: "13800000009"}}
        notify:
          - {id: wecom, format: wecom, url: "http://127.0.0.1:9/wecom"}
          - {id: dingtalk, format: dingtalk, url: "http://127.0.0.1:9/ding", secret_env: WATCHROOM_TEST_UNUSED}
          - {id: feishu, format: feishu, url: "http://127.0.0.1:9/feishu", secret_env: WATCHROOM_TEST_UNUSED}
          - {id: standard, format: standard, url: "http://127.0.0.1:9/std"}
          - {id: alertmanager, format: alertmanager, url: "http://127.0.0.1:9/am"}
        """
    }

    static let raisedAt = siteDate(2027, 1, 15, 15, 33, 2)

    static func alarm(_ id: Int, _ kind: AlarmSource.Kind, _ source: String, _ name: String, category: String, _ condition: AlarmCondition,
                      _ priority: Priority, state: AlarmState = .unacknowledged, value: String? = nil) -> Alarm {
        Alarm(id: id, source: AlarmSource(kind, source), name: name, category: category, condition: condition, priority: priority, state: state,
              latched: kind == .zone, active: true, requiresNote: kind == .zone, raisedAt: raisedAt, updatedAt: raisedAt, value: value)
    }

    /// Each condition a leader is told about: the alarm, the event and the kind of message.
    static func cases() -> [(name: String, kind: Notify.Notification.Kind, alarm: Alarm, event: AlarmEvent)] {
        func raised(_ a: Alarm, after seconds: TimeInterval = 0, _ kind: AlarmEvent.Kind = .raised) -> AlarmEvent {
            AlarmEvent(kind: kind, time: raisedAt.addingTimeInterval(seconds), alarm: a)
        }
        let perimeter = alarm(12, .zone, "Z02", "北围墙西段", category: "perimeter", .alarm, .high)
        var acked = perimeter
        acked.state = .acknowledged
        acked.acknowledgedBy = "张三"
        var closed = perimeter
        closed.state = .normal
        closed.notes = [AlarmNote(time: raisedAt.addingTimeInterval(600), user: "张三", text: "现场检查为野猫翻越，已驱离")]
        let list: [(String, Notify.Notification.Kind, Alarm, AlarmEvent)] = [
            ("perimeter", .raised, perimeter, raised(perimeter)),
            ("perimeter-escalated", .escalated, perimeter, raised(perimeter, after: 300, .escalated)),
            ("perimeter-acknowledged", .acknowledged, acked, AlarmEvent(kind: .acknowledged, time: raisedAt.addingTimeInterval(90), alarm: acked, user: "张三")),
            ("perimeter-resolved", .resolved, closed, AlarmEvent(kind: .reset, time: raisedAt.addingTimeInterval(660), alarm: closed, user: "张三")),
            ("intrusion", .raised, alarm(13, .zone, "H01", "财务室", category: "24h", .alarm, .high), raised(alarm(13, .zone, "H01", "财务室", category: "24h", .alarm, .high))),
            ("fire", .raised, alarm(14, .zone, "F01", "消防主机火警", category: "fire", .alarm, .critical), raised(alarm(14, .zone, "F01", "消防主机火警", category: "fire", .alarm, .critical))),
            ("panic", .raised, alarm(15, .zone, "P01", "前台紧急按钮", category: "panic", .alarm, .critical), raised(alarm(15, .zone, "P01", "前台紧急按钮", category: "panic", .alarm, .critical))),
            ("tamper", .raised, alarm(16, .zone, "T01", "主机箱防拆", category: "tamper", .tamper, .high), raised(alarm(16, .zone, "T01", "主机箱防拆", category: "tamper", .tamper, .high))),
            ("zone-fault", .raised, alarm(17, .zone, "Z01", "北围墙东段", category: "perimeter", .fault, .medium), raised(alarm(17, .zone, "Z01", "北围墙东段", category: "perimeter", .fault, .medium), after: 125)),
            ("temperature-high", .raised, alarm(18, .sensor, "room-temp", "机房温度", category: "sensor", .high, .high, value: "41.5"), raised(alarm(18, .sensor, "room-temp", "机房温度", category: "sensor", .high, .high, value: "41.5"))),
            ("temperature-low", .raised, alarm(19, .sensor, "room-temp", "机房温度", category: "sensor", .low, .high, value: "3.5"), raised(alarm(19, .sensor, "room-temp", "机房温度", category: "sensor", .low, .high, value: "3.5"))),
            ("humidity-high", .raised, alarm(20, .sensor, "room-rh", "机房湿度", category: "sensor", .high, .high, value: "86"), raised(alarm(20, .sensor, "room-rh", "机房湿度", category: "sensor", .high, .high, value: "86"))),
            ("device-comm-loss", .raised, alarm(21, .device, "th-1", "机房温湿度", category: "device", .commLoss, .high, value: "3 polls failed: timed out"), raised(alarm(21, .device, "th-1", "机房温湿度", category: "device", .commLoss, .high, value: "3 polls failed: timed out"))),
            ("equipment-fault", .raised, alarm(22, .equipment, "ups-1", "UPS 市电中断", category: "equipment", .alarm, .high), raised(alarm(22, .equipment, "ups-1", "UPS 市电中断", category: "equipment", .alarm, .high))),
            ("retention-shortfall", .raised, alarm(23, .system, "recorder-NVR-1", "1号录像机 录像保存不足 retention shortfall", category: "system", .retentionShortfall, .high),
             AlarmEvent(kind: .raised, time: raisedAt, alarm: alarm(23, .system, "recorder-NVR-1", "1号录像机 录像保存不足 retention shortfall", category: "system", .retentionShortfall, .high), text: "C03 keeps 9 days, the rule asks 14")),
            ("self-test-missed", .raised, alarm(24, .system, "self-test", "周界防区自检未执行 / zone self-test missed", category: "system", .selfTestMissed, .high), raised(alarm(24, .system, "self-test", "周界防区自检未执行 / zone self-test missed", category: "system", .selfTestMissed, .high))),
            ("delivery-failure", .deliveryFailure, alarm(25, .system, "notify-wecom", "通知通道 wecom 投递失败 / notify target wecom failing", category: "system", .deliveryFailure, .high), raised(alarm(25, .system, "notify-wecom", "通知通道 wecom 投递失败 / notify target wecom failing", category: "system", .deliveryFailure, .high))),
        ]
        return list.map { (name: $0.0, kind: $0.1, alarm: $0.2, event: $0.3) }
    }

    /// The text as each format that wants `n` carries it.
    static func rendered(_ notifications: [Notify.Notification], config: SiteConfig) throws -> String {
        var parts: [String] = []
        let entries = notifications.enumerated().map { i, n in
            OutboxEntry(id: Int64(i + 1), target: "t", notification: n, state: .pending, attempts: 0, nextAttemptAt: raisedAt, createdAt: raisedAt)
        }
        for target in config.notify {
            let format = try #require(WebhookFormats.format(named: target.format))
            guard notifications.allSatisfy({ format.wants($0.kind) }) else { continue }
            let (request, _) = try format.encode(entries, to: ResolvedTarget(target: target, secret: nil), now: raisedAt)
            let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            let text: String
            switch target.format {
            case "wecom": text = ((body["text"] as? [String: Any])?["content"] as? String) ?? ""
            case "dingtalk": text = ((body["markdown"] as? [String: Any])?["text"] as? String) ?? ""
            case "feishu": text = ((body["content"] as? [String: Any])?["text"] as? String) ?? ""
            case "standard":
                let data = (body["data"] as? [String: Any]).map { [$0] } ?? (body["data"] as? [[String: Any]]) ?? []
                text = data.map { "\($0["title"] as? String ?? "")\n\($0["text"] as? String ?? "")" }.joined(separator: "\n---\n")
            default:
                let alerts = (body["alerts"] as? [[String: Any]]) ?? []
                text = alerts.map { a in
                    let ann = a["annotations"] as? [String: String] ?? [:]
                    return "\(ann["summary"] ?? "")\n\(ann["description"] ?? "")"
                }.joined(separator: "\n---\n")
            }
            parts.append("=== \(target.format) ===\n\(text)")
        }
        return parts.joined(separator: "\n") + "\n"
    }

    /// Engine words a Chinese message must not show (outside the board link).
    static let engineWords = ["alarm", "state", "priority", "critical", "high", "medium", "low", "unacknowledged", "acknowledged",
                              "perimeter", "comm", "loss", "shift", "leader", "supervisor", "escalation", "repair", "required", "fail", "pass",
                              "retention", "shortfall", "recording", "stopped", "notify", "target", "failing", "zone", "sensor", "equipment",
                              "device", "system", "test", "by", "day", "night", "polls", "value", "missed"]

    static func englishWords(_ text: String) -> [String] {
        text.split(separator: "\n").filter { !$0.hasPrefix("查看：") && !$0.hasPrefix("=== ") }.flatMap { line in
            line.split { !$0.isASCII || !$0.isLetter }.map { $0.lowercased() }.filter { engineWords.contains($0) }
        }
    }

    static func check(_ text: String, against name: String, language: String) throws {
        let file = goldenFolder.appendingPathComponent(language).appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["WATCHROOM_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(text == golden, "\(language)/\(name).txt differs; got:\n\(text)")
    }

    @Test("each condition's message, in Chinese and in English, as every format carries it", arguments: ["zh-CN", "en"])
    func eachCondition(language: String) throws {
        let config = try loadSite(Self.yaml(language: language))
        let planner = NotificationPlanner(config: config, boardURL: "http://10.0.5.2:8080/")
        for c in Self.cases() {
            let text = try Self.rendered([planner.notification(c.kind, alarm: c.alarm, event: c.event)], config: config)
            try Self.check(text, against: c.name, language: language)
            if language == "zh-CN" { #expect(Self.englishWords(text).isEmpty, "\(c.name): engine words in a Chinese message: \(Self.englishWords(text))") }
        }
        // Repairs: a failed zone self-test and a failed equipment-check item.
        let selfTest = AlarmEvent(kind: .selfTestResult, time: Self.raisedAt, zone: "Z01", text: "fail (active test): no trip within 10 s")
        let check = AlarmEvent(kind: .equipmentCheck, time: Self.raisedAt, user: "张三", text: "fail: device th-1 机房温湿度 is comm-lost")
        for (name, event) in [("self-test-failed", selfTest), ("equipment-check-failed", check)] {
            let text = try Self.rendered([planner.repair(event)], config: config)
            try Self.check(text, against: name, language: language)
            if language == "zh-CN" { #expect(Self.englishWords(text).isEmpty, "\(name): \(Self.englishWords(text))") }
        }
        // A grouped message counts what it holds and names the first.
        let zones = ["Z02", "Z01", "Z03", "Z04"].enumerated().map { i, id in
            let a = Self.alarm(30 + i, .zone, id, config.zones.first { $0.id == id }!.name, category: "perimeter", .alarm, .high)
            return planner.notification(.raised, alarm: a, event: AlarmEvent(kind: .raised, time: Self.raisedAt, alarm: a))
        }
        let grouped = try Self.rendered(zones, config: config)
        try Self.check(grouped, against: "grouped-zones", language: language)
        #expect(grouped.contains(language == "en" ? "4 zones in alarm: 北围墙西段 and others" : "4 个防区报警：北围墙西段等"), "\(grouped)")
    }

    @Test("instructions: a zone's own wins over its type's, and every type has a default in the site's language")
    func instructions() throws {
        let config = try loadSite(Self.yaml(language: "zh-CN"))
        #expect(config.instructions(forZone: "Z02") == "调看 C03、C04，派巡逻岗到北门外核查。")
        #expect(config.instructions(forZone: "F01") == "立即派人到现场确认火情，确认后拨打 119，并通知物业经理。")
        #expect(config.instructions(forZone: "P01") == MessageSettings.defaultInstructions(.panic, .zhCN))
        #expect(config.instructions(forZone: "nosuch") == nil)
        let english = try loadSite(Self.yaml(language: "en"))
        #expect(english.language == .en && english.instructions(forZone: "H01") == MessageSettings.defaultInstructions(.twentyFourHour, .en))
        #expect(throws: ConfigError.self) { try loadSite(Self.yaml(language: "fr")) }
        #expect(throws: ConfigError.self) { try loadSite(Self.yaml(language: "zh-CN").replacingOccurrences(of: "  fire: 立即", with: "  fires: 立即")) }
    }
}
