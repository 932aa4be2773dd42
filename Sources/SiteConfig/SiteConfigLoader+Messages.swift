import Foundation

/// `site.language`, the top-level `instructions:` by zone type and each zone's `instructions:`.
extension SiteConfigLoader.Reader {
    func readMessages(_ top: YMap) -> MessageSettings {
        var settings = MessageSettings()
        if let node = top["site"]?.map("site")?["language"], let name = node.string("site language") {
            if let language = MessageLanguage(rawValue: name) { settings.language = language } else {
                node.error("unknown site language '\(name)'; use \(MessageLanguage.allCases.map(\.rawValue).joined(separator: " or "))")
            }
        }
        if let m = top["instructions"]?.map("instructions") {
            m.check(allowed: ZoneType.allCases.map(\.rawValue), in: "instructions (by zone type)")
            for type in ZoneType.allCases {
                if let text = m[type.rawValue]?.string("instructions for \(type.rawValue) zones"), !text.isEmpty { settings.byType[type] = text }
            }
        }
        for item in top["zones"]?.list("zones") ?? [] {
            guard let zone = item.map("each entry of zones"), let id = zone["id"]?.scalarText, let node = zone["instructions"] else { continue }
            if let text = node.string("zone instructions") {
                if text.trimmingCharacters(in: .whitespaces).isEmpty { node.error("zone \(id): instructions are empty; leave the key out for the default") } else {
                    settings.byZone[id] = text
                }
            }
        }
        return settings
    }
}
