/// `GET /v1/whoami`: who the daemon thinks the caller is (the Unix account SO_PEERCRED reports,
/// mapped to the site user whose `unix:` names it), with the roles and rights that gives.
public struct Whoami: Codable, Sendable {
    /// No `users:` in the site config: names are typed and believed; login, name and roles are nil/empty.
    public var trustMode: Bool
    /// The caller's Unix account (nil when the daemon cannot tell).
    public var unix: String?
    public var uid: UInt32?
    public var login: String?
    public var name: String?
    public var roles: [String]
    /// What the roles allow (Access.Action raw values: "acknowledge", "approve-playback", ...).
    public var may: [String]
    /// Why the caller may do nothing at all (an account that is no site user: the key to add it
    /// under); nil for a site user and in trust mode.
    public var refusal: String?

    public init(trustMode: Bool, unix: String?, uid: UInt32?, login: String?, name: String?, roles: [String], may: [String],
                refusal: String? = nil) {
        self.trustMode = trustMode
        self.unix = unix
        self.uid = uid
        self.login = login
        self.name = name
        self.roles = roles
        self.may = may
        self.refusal = refusal
    }
}
