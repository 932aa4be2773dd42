/// The notification formats a config may name, and what each asks of a target's keys.
///
/// The formats live in Notify, which depends on SiteConfig, so the loader is given them: the daemon
/// passes Notify's registry on every path that loads a config to run (check-config, run, reload).
/// A loader given none takes any format name and checks only what every target shares (the tests
/// of parts that do not notify).
public protocol NotifyFormatCatalog: Sendable {
    /// The format names, in the order an error lists them.
    var formatNames: [String] { get }
    /// The keys a target of `format` may have besides the common ones (`id`, `format`,
    /// `min_priority` and the pacing keys); nil for a name no format has.
    func optionKeys(of format: String) -> [String]?
    /// What is wrong with a target for its format (a missing key, a bot that must be signed);
    /// empty when nothing is. The target's `options` hold its format keys as written.
    func problems(of target: NotifyTarget) -> [NotifyOptionProblem]
}

/// One thing a format refuses in a target, located at a key's value or at the whole target.
public struct NotifyOptionProblem: Sendable, Hashable {
    /// The key whose value is wrong; nil (or a key the target does not have) points at the target.
    public var key: String?
    /// The whole message, naming the target ("notify target 'bot': ...").
    public var message: String

    public init(key: String? = nil, _ message: String) {
        self.key = key
        self.message = message
    }
}

extension NotifyTarget {
    /// How messages name the target: "notify target 'bot'".
    public var label: String { "notify target '\(id)'" }
}

extension NotifyFormatCatalog {
    /// The error for a target naming a format the catalog does not have; the same words wherever it is caught.
    public func unknownFormatMessage(_ name: String, target label: String) -> String {
        "\(label) has unknown format '\(name)'; use one of \(formatNames.joined(separator: ", "))"
    }
}
