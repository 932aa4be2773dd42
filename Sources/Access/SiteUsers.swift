import Foundation
public import SiteConfig

/// The site's users as the daemon meets them: a control-socket caller by Unix account, a board
/// login by password, a typed `--user` checked against the caller.
public struct SiteUsers: Sendable {
    public let users: [SiteUser]
    /// The config file, for refusals that say where to add a user.
    public let configFile: String

    public init(users: [SiteUser], configFile: String) {
        self.users = users
        self.configFile = configFile
    }

    public init(_ config: SiteConfig) { self.init(users: config.users, configFile: config.file) }

    /// No `users:`: every typed name is believed.
    public var trustMode: Bool { users.isEmpty }

    /// root, when no user names the account: the host's administrator is the site's.
    public static let root = SiteUser(login: "root", name: "root", roles: [.admin], unix: "root")

    /// The user a login or a display name names.
    public func user(named text: String) -> SiteUser? {
        users.first { $0.login == text } ?? users.first { $0.name == text }
    }

    /// The site user of a control-socket caller: the one whose `unix:` is the account; root
    /// (uid 0) is admin even when no user names it.
    public func caller(account: String, uid: UInt32) throws(Refusal) -> SiteUser {
        if let user = users.first(where: { $0.unix == account }) { return user }
        if uid == 0 { return Self.root }
        throw Refusal(.unknownCaller, "Unix account '\(account)' is no site user; to let it act, name it in a user's unix key (users[].unix) in \(configFile)")
    }

    /// Who acts on a control-socket request from `account`, given the `--user` typed (nil or
    /// empty: the caller). Trust mode believes the typed name.
    public func actor(account: String, uid: UInt32, typed: String?) throws(Refusal) -> Actor {
        let carrier = Carrier.unix(account)
        if trustMode { return .trusted(name: typed ?? "", carrier: carrier) }
        return try actor(caller: try caller(account: account, uid: uid), carrier: carrier, typed: typed)
    }

    /// `caller` acting as typed: themselves (by login or name, or nothing typed); an admin may
    /// name another user and acts for them.
    public func actor(caller: SiteUser, carrier: Carrier, typed: String?) throws(Refusal) -> Actor {
        let typed = typed?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if typed.isEmpty || typed == caller.login || typed == caller.name { return Actor(user: caller, carrier: carrier) }
        guard caller.has(.admin) else {
            throw Refusal(.notYou, "you are \(caller.name) (\(caller.login)); the name given ('\(typed)') must be yours or be left out: only an admin acts in another user's name")
        }
        guard let other = user(named: typed) else {
            throw Refusal(.invalid, "no user '\(typed)' in users: of \(configFile)")
        }
        return Actor(user: caller, carrier: carrier, actingFor: other)
    }

    /// The user whose login and password these are (the board's login form), or nil. An
    /// unknown login costs the same bcrypt work as a wrong password, so timing tells nothing.
    public func authenticate(login: String, password: String) -> SiteUser? {
        guard let user = users.first(where: { $0.login == login }), let hash = user.passwordHash else {
            // Another user's hash as the decoy: the same cost as a real check; the answer is thrown away.
            _ = Bcrypt.verify(password: password, hash: users.compactMap(\.passwordHash).first ?? "")
            return nil
        }
        return Bcrypt.verify(password: password, hash: hash) ? user : nil
    }
}
