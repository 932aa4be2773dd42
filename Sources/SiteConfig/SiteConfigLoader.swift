import Foundation

/// Loads and validates a site config and the device profiles it names.
///
/// Every mistake is collected and thrown together as a `ConfigError`, each located at the
/// offending key or value, so maintenance staff fix a config in one pass.
public struct SiteConfigLoader: Sendable {
    /// Extra folders searched for device profiles (after those next to the config).
    public var profileDirectories: [String]
    /// What replaces the file's values, applied and checked during the load.
    public var overrides: LoadOverrides
    /// The notification formats a target may name (Notify's registry); nil takes any name.
    public var notifyFormats: (any NotifyFormatCatalog)?

    public init(profileDirectories: [String] = [], overrides: LoadOverrides = LoadOverrides(),
                notifyFormats: (any NotifyFormatCatalog)? = nil) {
        self.profileDirectories = profileDirectories
        self.overrides = overrides
        self.notifyFormats = notifyFormats
    }

    static let topKeys = ["site", "state_dir", "control", "profiles", "buses", "devices", "zones", "areas",
                          "sensors", "equipment", "recorders", "shifts", "escalation", "notify", "alarms", "journal", "self_test",
                          "recordings", "visitors", "instructions", "metrics", "board", "users", "uplink"]

    public func load(file: String) throws(ConfigError) -> SiteConfig {
        let sink = DiagnosticSink()
        let text = try SourceText.read(file, what: "the config file")
        let reader = Reader(file: file, sink: sink, loader: self)
        let config = reader.read(text: text)
        if !sink.items.isEmpty || config == nil {
            let items = sink.items.isEmpty
                ? [Diagnostic(file: file, line: 1, column: 1, message: "the config is not valid")] : sink.items
            throw ConfigError(Array(Set(items)).sorted())
        }
        var site = config!
        site.warnings = Array(Set(sink.warnings)).sorted()
        site.hostRequirements = reader.hostRequirements
        site.messages = reader.messages
        site.metrics = reader.metrics
        site.uplink = reader.uplink
        return site
    }

    /// Only the control socket of a config (for watchroomctl --config), without validating the rest.
    public static func controlSocket(configFile: String) throws(ConfigError) -> String {
        let sink = DiagnosticSink()
        let text = try SourceText.read(configFile, what: "the config file")
        guard let root = parseYAML(text: text, file: configFile, sink: sink), let top = root.map("the site config") else {
            throw ConfigError(sink.items)
        }
        let socket = top["control"]?.map("control")?["socket"]?.scalarText ?? "/run/watchroom/control.sock"
        return socket.hasPrefix("/") ? socket
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(socket).standardized.path
    }

    /// Folders searched for `devices/NAME.yaml`, nearest first.
    func searchPath(configFile: String) -> [String] {
        let base = URL(fileURLWithPath: configFile).deletingLastPathComponent()
        var dirs = [base.path, base.appendingPathComponent("devices").path, base.deletingLastPathComponent().path]
        if let env = ProcessInfo.processInfo.environment["WATCHROOM_PROFILES"] {
            dirs += env.split(separator: ":").map(String.init)
        }
        dirs += profileDirectories
        dirs += ["/etc/watchroom/devices", "/usr/local/share/watchroom/devices", "/usr/share/watchroom/devices"]
        return dirs
    }
}
