import Access
import Foundation
import Logging
import SiteConfig

/// Who is logged in to the board, with their roles (the display role only sees).
struct BoardAccount: Sendable, Hashable, Codable {
    let login: String
    /// The name the journal records for their actions (张三).
    let name: String
    let roles: [Role]

    init(login: String, name: String, roles: [Role]) {
        self.login = login
        self.name = name
        self.roles = roles
    }

    init(_ user: SiteUser) { self.init(login: user.login, name: user.name, roles: user.roles) }

    func may(_ action: Action) -> Bool { RoleTable.allows(roles, action) }
    /// Whether the page shows action buttons at all.
    var mayAct: Bool { may(.acknowledge) || may(.note) }
}

/// The board's one question to the users and roles of the site: does this login and password
/// name an account, and which. The daemon asks the config's `users:` (bcrypt); tests may give their own.
struct BoardAccounts: Sendable {
    let check: @Sendable (_ login: String, _ password: String) -> BoardAccount?

    /// No accounts: nobody can log in.
    static let none = BoardAccounts { _, _ in nil }

    /// The site's `users:` with a `password_hash`.
    static func site(_ config: SiteConfig, logger: Logger) -> BoardAccounts {
        if config.boardUsers.isEmpty {
            logger.warning("board: no user in the config has a password_hash: nobody can log in to the board (see users: in DESIGN.md)")
        }
        let users = SiteUsers(config)
        return BoardAccounts { login, password in users.authenticate(login: login, password: password).map(BoardAccount.init) }
    }
}
