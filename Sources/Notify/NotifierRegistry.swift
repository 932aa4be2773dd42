public import SiteConfig

/// Every notification format by name: the one list the config loader, the planner and delivery
/// take their formats from. A name it does not have is a config error, never a fallback to another.
public struct NotifierRegistry: NotifyFormatCatalog {
    /// In the order errors list them.
    public let notifiers: [any Notifier]

    /// `notifiers` with distinct names (a later one with a taken name is a programming error).
    public init(_ notifiers: [any Notifier]) {
        var seen = Set<String>()
        for n in notifiers { precondition(seen.insert(n.name).inserted, "two notifiers named '\(n.name)'") }
        self.notifiers = notifiers
    }

    /// The formats the daemon ships.
    public static let standard = NotifierRegistry([
        StandardWebhookFormat(), AlertmanagerFormat(), WeComFormat(), DingTalkFormat(), FeishuFormat(),
    ])

    /// This registry and `notifier` (a site's own channel, a test's).
    public func adding(_ notifier: any Notifier) -> NotifierRegistry { NotifierRegistry(notifiers + [notifier]) }

    /// The notifier named `name`; nil for a name none has.
    public func notifier(named name: String) -> (any Notifier)? { notifiers.first { $0.name == name } }

    public var formatNames: [String] { notifiers.map(\.name) }

    public func optionKeys(of format: String) -> [String]? { notifier(named: format)?.optionKeys }

    public func problems(of target: NotifyTarget) -> [NotifyOptionProblem] {
        notifier(named: target.format)?.problems(of: target) ?? []
    }
}
