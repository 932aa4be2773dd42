public import SiteConfig

/// What carried a user's command to the daemon: the Unix account of a control-socket caller
/// (from SO_PEERCRED) or a board login session.
public struct Carrier: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The caller's Unix account name (or "uid N" when the account has no name).
    public var unix: String?
    /// The board's session id.
    public var session: String?

    public init(unix: String? = nil, session: String? = nil) {
        self.unix = unix
        self.session = session
    }

    public static func unix(_ account: String) -> Carrier { Carrier(unix: account) }
    public static func board(session: String) -> Carrier { Carrier(session: session) }

    public var description: String {
        if let unix { return "Unix account \(unix)" }
        if let session { return "board session \(session)" }
        return "nothing known"
    }
}

/// Who acts: the site user behind a request and what carried it, as the journal records it.
///
/// In trust mode (no `users:`) the actor is whoever the typed name says (`login` nil) and may do
/// everything, as before users existed. An admin acting for another user is recorded as both:
/// `actingFor` is the user the action is in the name of.
public struct Actor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The user's login; nil in trust mode (the name was typed, not known).
    public var login: String?
    public var name: String
    /// The roles of the one who acts (not those of whom they act for).
    public var roles: [Role]
    public var carrier: Carrier
    /// The user an admin acts for, if any.
    public var actingFor: Person?

    /// A user as the journal names them.
    public struct Person: Sendable, Hashable, Codable {
        public var login: String
        public var name: String
        public init(login: String, name: String) {
            self.login = login
            self.name = name
        }
    }

    public init(user: SiteUser, carrier: Carrier, actingFor: SiteUser? = nil) {
        login = user.login
        name = user.name
        roles = user.roles
        self.carrier = carrier
        self.actingFor = actingFor.map { Person(login: $0.login, name: $0.name) }
    }

    /// Trust mode: the typed name, believed.
    public static func trusted(name: String, carrier: Carrier) -> Actor {
        Actor(login: nil, name: name, roles: Role.allCases, carrier: carrier, actingFor: nil)
    }

    private init(login: String?, name: String, roles: [Role], carrier: Carrier, actingFor: Person?) {
        self.login = login
        self.name = name
        self.roles = roles
        self.carrier = carrier
        self.actingFor = actingFor
    }

    public var isTrusted: Bool { login == nil }

    /// The name the action is recorded under (an event's `user`, a visitor's approver): the
    /// user acted for, else the actor.
    public var recordedName: String { actingFor?.name ?? name }

    /// "张三 (zhangsan)", or for an admin acting: "王主管 (wang) for 张三 (zhangsan)".
    public var description: String {
        let me = login.map { "\(name) (\($0))" } ?? name
        return actingFor.map { "\(me) for \($0.name) (\($0.login))" } ?? me
    }

    /// Whether this actor may take `action`, and if not, the refusal to give.
    public func may(_ action: Action) -> Decision {
        if isTrusted || RoleTable.allows(roles, action) { return .allowed }
        return .refused(Refusal.needsRole(action, actor: self))
    }
}

/// The answer to "may this actor do that?".
public enum Decision: Sendable, Hashable {
    case allowed
    case refused(Refusal)

    public var isAllowed: Bool { self == .allowed }

    /// Throws the refusal, if refused.
    public func check() throws(Refusal) {
        if case .refused(let r) = self { throw r }
    }
}

/// Why an actor was refused: says which role is needed or what to fix, never other people's names.
public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The user lacks the role (HTTP 403).
        case forbidden
        /// The caller is no site user (HTTP 403).
        case unknownCaller = "unknown-caller"
        /// A typed name that is not the caller (HTTP 403).
        case notYou = "not-you"
        /// A name typed for a user that does not exist (HTTP 400).
        case invalid
    }
    public let kind: Kind
    public let message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    static func needsRole(_ action: Action, actor: Actor) -> Refusal {
        let roles = RoleTable.roles(allowing: action).map(\.rawValue) + ["admin"]
        let list = roles.count == 1 ? roles[0] : roles.dropLast().joined(separator: ", ") + " or " + roles.last!
        let mine = actor.roles.map(\.rawValue).joined(separator: ", ")
        return Refusal(.forbidden, "\(actor.name) (\(actor.login ?? "?"), role\(actor.roles.count == 1 ? "" : "s") \(mine)) may not \(action.phrase): that needs the \(list) role")
    }
}
