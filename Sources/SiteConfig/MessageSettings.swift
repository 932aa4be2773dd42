/// The language a site's messages are written in (`site.language`).
public enum MessageLanguage: String, Sendable, Hashable, CaseIterable {
    /// Simplified Chinese, the default: the leader reads it on a phone.
    case zhCN = "zh-CN"
    case en
}

/// How the site's messages read: their language and what to do per zone type and per zone
/// (`instructions:` at the top by zone type, `instructions:` on a zone winning over it).
public struct MessageSettings: Sendable, Hashable {
    public var language: MessageLanguage
    /// By zone type: the top-level `instructions:` map.
    public var byType: [ZoneType: String]
    /// By zone id: a zone's own `instructions:`.
    public var byZone: [String: String]

    public init(language: MessageLanguage = .zhCN, byType: [ZoneType: String] = [:], byZone: [String: String] = [:]) {
        self.language = language
        self.byType = byType
        self.byZone = byZone
    }

    /// What to do for a zone type when the config says nothing, in `language`.
    public static func defaultInstructions(_ type: ZoneType, _ language: MessageLanguage) -> String {
        switch (type, language) {
        case (.perimeter, .zhCN): "立即调看该防区摄像机，派保安到现场核查；确认入侵立即报警 110。"
        case (.entryExit, .zhCN): "核实是否为授权人员进出；无法确认时派人到现场查看。"
        case (.twentyFourHour, .zhCN): "立即派人到现场核查，查明原因后在系统中记录处理情况。"
        case (.tamper, .zhCN): "探测器或箱体可能被打开或破坏：派人检查设备和线路。"
        case (.fire, .zhCN): "立即派人到现场确认火情；确认火灾立即拨打 119 并启动疏散预案。"
        case (.panic, .zhCN): "有人紧急求助：立即派人到现场，必要时拨打 110 或 120。"
        case (.perimeter, .en): "Check the zone's cameras at once and send a guard to look; call 110 if an intrusion is confirmed."
        case (.entryExit, .en): "Check whether the entry was authorised; if it cannot be confirmed, send someone to look."
        case (.twentyFourHour, .en): "Send someone to the zone at once; record what was found."
        case (.tamper, .en): "The detector or its box may have been opened or damaged: have the device and wiring checked."
        case (.fire, .en): "Send someone to confirm the fire at once; if confirmed, call 119 and start the evacuation plan."
        case (.panic, .en): "Someone is calling for help: send someone at once; call 110 or 120 if needed."
        }
    }
}

extension SiteConfig {
    /// What to do when a zone alarms: the zone's own `instructions:`, else the top-level
    /// `instructions:` for its type, else a sensible default for the type in the site's language.
    /// Nil for an id that is no zone. The leader's message and the board both show it.
    public func instructions(forZone id: String) -> String? {
        zone(id: id).map(instructions(for:))
    }

    /// The same for a zone already in hand (no search of the site's zones: a flood asks per alarm).
    public func instructions(for zone: Zone) -> String {
        messages.byZone[zone.id] ?? messages.byType[zone.type] ?? MessageSettings.defaultInstructions(zone.type, messages.language)
    }

    /// The language of the site's messages (`site.language`, default zh-CN).
    public var language: MessageLanguage { messages.language }
}
