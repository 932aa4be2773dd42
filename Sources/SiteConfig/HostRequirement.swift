/// Something a config asks of the machine that runs it: a group for the control socket, a secret
/// in a file or the environment. The loader does not look (a config can be checked on a laptop);
/// `watchroomd check-config` checks each as the service would see it, at its place in the file.
public struct HostRequirement: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `control.group` must name an existing group.
        case group(String)
        /// A notify target's `secret_file` must be readable, or its `secret_env` set.
        case secret(notifyTarget: String)
        /// The uplink's `password_file` must be readable and not empty.
        case uplinkPassword(file: String)
        /// The uplink's `tls.ca_file` must exist and be readable.
        case uplinkCA(file: String)
    }

    public let kind: Kind
    /// Where the config asks for it.
    public let location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}
