public import Alarms
public import SiteConfig

/// The words for what an alarm is, one table for everything a person reads: the board's type
/// and condition columns and its history filter, and the headline of the leader's message. One
/// thing said two ways in two places (通讯中断 on the wall, 通信中断 on the phone) reads as two
/// things to the room.
public enum AlarmVocabulary {
    /// A phrase in each of the site's languages.
    public struct Phrase: Sendable, Hashable {
        public let zh: String
        public let en: String
        public init(_ zh: String, _ en: String) {
            self.zh = zh
            self.en = en
        }
        public func text(_ language: MessageLanguage) -> String { language == .zhCN ? zh : en }
    }

    // MARK: the board's words

    /// A zone type in a word, as the board's type column says it: 周界, 24小时防区, 火警, ...
    public static func typeName(_ type: ZoneType) -> String {
        switch type {
        case .perimeter: "周界"
        case .entryExit: "出入口"
        case .twentyFourHour: "24小时防区"
        case .tamper: "防拆"
        case .fire: "火警"
        case .panic: "紧急按钮"
        }
    }

    /// The categories of alarms that are no zone's, in a word.
    static let otherCategories: [String: String] = ["sensor": "环境传感器", "equipment": "设备状态", "device": "设备通信", "system": "系统"]

    /// An alarm's category (a zone type's config name, or sensor, equipment, device, system) in a
    /// word; nil for one this table does not know.
    public static func categoryName(_ category: String) -> String? {
        ZoneType(rawValue: category).map(typeName) ?? otherCategories[category]
    }

    /// Every category the board filters by, in the order it lists them.
    public static let categories: [String] = ZoneType.allCases.map(\.rawValue) + ["sensor", "equipment", "device", "system"]

    /// A condition in a word, as the board's condition column says it: 报警, 故障, 通信中断, ...
    public static func conditionName(_ condition: AlarmCondition) -> String {
        switch condition {
        case .alarm: "报警"
        case .tamper: "防拆"
        case .fault: "故障"
        case .high: "超上限"
        case .low: "超下限"
        case .commLoss: "通信中断"
        case .selfTestMissed: "自检失败"
        case .deliveryFailure: "通知失败"
        case .retentionShortfall: "录像保存不足"
        case .recordingStopped: "录像中断"
        case .retentionAtRisk: "录像保存有风险"
        case .diskFull: "存储空间不足"
        }
    }

    // MARK: the message's headline

    /// The headline of a zone's alarm by the zone's type: 周界报警, 入侵报警, 火警, 紧急求助, ...
    public static func zoneAlarm(_ type: ZoneType?) -> Phrase {
        switch type {
        case .perimeter: Phrase("周界报警", "Perimeter alarm")
        case .entryExit, .twentyFourHour: Phrase("入侵报警", "Intrusion alarm")
        case .fire: Phrase("火警", "Fire alarm")
        case .panic: Phrase("紧急求助", "Panic alarm")
        case .tamper: tamperAlarm
        case nil: alarm
        }
    }

    static let alarm = Phrase("报警", "Alarm")
    static let tamperAlarm = Phrase("防拆报警", "Tamper alarm")
    static let commLost = Phrase("设备" + conditionName(.commLoss), "Device not answering")
    static let equipmentFault = Phrase("设备故障", "Equipment fault")

    /// What happened, as a leader says it, by the alarm's source, condition and category;
    /// `humidity`: a sensor's reading is humidity (else temperature).
    public static func headline(source: AlarmSource.Kind, condition: AlarmCondition, category: String, humidity: Bool) -> Phrase {
        switch (source, condition) {
        case (.zone, .tamper): return tamperAlarm
        case (.zone, .fault): return Phrase("防区故障", "Zone fault")
        case (.zone, _): return zoneAlarm(ZoneType(rawValue: category))
        case (.sensor, let c):
            switch (humidity, c == .low) {
            case (true, false): return Phrase("湿度过高", "Humidity high")
            case (true, true): return Phrase("湿度过低", "Humidity low")
            case (false, false): return Phrase("温度过高", "Temperature high")
            case (false, true): return Phrase("温度过低", "Temperature low")
            }
        case (.device, _), (_, .commLoss): return commLost
        case (.equipment, _): return equipmentFault
        case (_, .retentionShortfall), (_, .retentionAtRisk): return Phrase(conditionName(.retentionShortfall), "Recordings kept too short")
        case (_, .recordingStopped): return Phrase(conditionName(.recordingStopped), "Recording stopped")
        case (_, .diskFull): return Phrase(conditionName(.diskFull), "Storage full")
        case (_, .selfTestMissed): return Phrase(conditionName(.selfTestMissed), "Self-test failed")
        case (_, .deliveryFailure): return Phrase(conditionName(.deliveryFailure), "Notification failing")
        case (.system, .fault): return Phrase("系统故障", "System fault")
        case (_, .fault): return equipmentFault
        default: return alarm
        }
    }
}
