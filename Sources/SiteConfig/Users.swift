/// What a site user is allowed to do is decided by their roles (the table is in Access/RoleTable.swift
/// and the README). The names are the config's words: `roles: [operator]`.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Sees what an operator sees; acts on nothing (the wall display).
    case display
    case `operator`
    /// The shift leader: an operator who also approves visitors, unshelves, takes zones out of service.
    case leader
    case maintenance
    /// The management office director: approves playback (site rule 8) and visitors.
    case director
    /// Everything, including acting for another user.
    case admin

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One person (or one wall display) who uses the room's system, from the config's `users:`.
///
/// On the control socket a user is the one whose `unix` names the caller's account; on the board,
/// the one whose `login` and password match. With no `users:` at all the site runs in trust mode.
public struct SiteUser: Sendable, Hashable, Codable {
    /// Unique; what the board's login form and `--user` take.
    public let login: String
    /// The name journals, handovers and notifications show (张三).
    public let name: String
    public let roles: [Role]
    /// The Unix account that is this user on the control socket (unique), if any.
    public let unix: String?
    /// A bcrypt `$2a$`/`$2b$`/`$2y$` hash of the board password; nil: this user cannot log in to the board.
    public let passwordHash: String?

    public init(login: String, name: String, roles: [Role], unix: String? = nil, passwordHash: String? = nil) {
        self.login = login
        self.name = name
        self.roles = roles
        self.unix = unix
        self.passwordHash = passwordHash
    }

    /// Whether the user can log in to the board (has a password).
    public var canLogIn: Bool { passwordHash != nil }

    public func has(_ role: Role) -> Bool { roles.contains(role) }
}

extension SiteConfig {
    /// Without `users:` every name is typed and trusted, as before users existed.
    public var trustMode: Bool { users.isEmpty }

    /// The user with this login, if any.
    public func user(login: String) -> SiteUser? { users.first { $0.login == login } }

    /// The user whose `unix:` is this account, if any.
    public func user(unixAccount: String) -> SiteUser? { users.first { $0.unix == unixAccount } }

    /// The one warning of a site in trust mode (check-config and the startup log print it), nil with users.
    public var trustModeWarning: String? {
        trustMode
            ? "no users: section: every name is typed and trusted, so anyone with access to the control socket can approve playback and visitors in anybody's name; add users (login, name, roles, unix) to the site config"
            : nil
    }
}

extension SiteConfig {
    /// The users who can log in to the board (those with a password_hash); a `board:` needs one.
    public var boardUsers: [SiteUser] { users.filter(\.canLogIn) }
}
