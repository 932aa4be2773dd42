import Foundation
import Logging
import SiteConfig

/// Who is logged in to the board, and whether their role lets them act on alarms (the display
/// role only sees).
struct BoardAccount: Sendable, Hashable, Codable {
    let login: String
    let name: String
    let mayAct: Bool
}

/// The board's one question to the users and roles of the site: does this login and password
/// name an account, and which. The daemon builds it from the config's `users:`; tests give their own.
struct BoardAccounts: Sendable {
    let check: @Sendable (_ login: String, _ password: String) -> BoardAccount?

    /// No accounts: nobody can log in (a board without `users:` in the config).
    static let none = BoardAccounts { _, _ in nil }
}

extension BoardAccounts {
    /// The site's `users:` with a password hash (until the users model is merged: none).
    static func site(_ config: SiteConfig, logger: Logger) -> BoardAccounts {
        logger.warning("board: no users with a password in the config: nobody can log in to the board")
        return .none
    }
}
