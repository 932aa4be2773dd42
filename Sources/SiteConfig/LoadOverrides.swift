/// Values that replace what the config file says, given to `SiteConfigLoader(overrides:)`.
///
/// They are applied while loading and checked with the rest (a bus that is not defined is an
/// error; an RTU source brings the RTU rules for its devices' unit ids), so the loaded
/// `SiteConfig` is as valid as one read from a file, and nothing changes it afterwards. The demo
/// uses them to run the daemon on its own state folder against the simulator's free ports.
public struct LoadOverrides: Sendable, Hashable {
    /// Replaces `state_dir`.
    public var stateDir: String?
    /// Replaces `control.socket`.
    public var controlSocket: String?
    /// Replaces the source (the `tcp:`/`rtu:` settings) of a bus, by bus id.
    public var busSources: [String: BusSource]
    /// Replaces (or adds) `uplink:` (the demo's local broker).
    public var uplink: MQTTUplink?

    public init(stateDir: String? = nil, controlSocket: String? = nil, busSources: [String: BusSource] = [:]) {
        self.stateDir = stateDir
        self.controlSocket = controlSocket
        self.busSources = busSources
    }
}
