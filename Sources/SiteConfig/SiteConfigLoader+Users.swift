import Foundation

/// `users:`: who uses the room's system, with which roles, on which Unix account, with which
/// board password (DESIGN.md section 6). Absent: trust mode (names are typed and believed).
extension SiteConfigLoader.Reader {
    static let userKeys = ["login", "name", "roles", "unix", "password_hash"]

    func readUsers(_ top: YMap) -> [SiteUser] {
        guard let node = top["users"] else { return [] }
        guard let items = node.list("users") else { return [] }
        if items.isEmpty {
            node.error("users: lists nobody; list the site's users, or remove the key to run in trust mode (every typed name believed)")
            return []
        }
        var users: [SiteUser] = []
        var logins: [String: SourceLocation] = [:]
        var accounts: [String: (login: String, at: SourceLocation)] = [:]
        for item in items {
            guard let m = item.map("each entry of users") else { continue }
            m.check(allowed: Self.userKeys, in: "user")
            let login = m.required("login", in: "user")?.string("login")
            let label = "user '\(login ?? "?")'"
            if let login, let n = m["login"] {
                if !Self.isValidLogin(login) {
                    n.error("\(label): a login may hold only ASCII letters, digits, '.', '-' and '_', and must start with a letter or digit")
                } else if let first = logins[login] {
                    n.error("duplicate user login '\(login)' (first defined at line \(first.line))")
                } else { logins[login] = n.location }
            }
            var name: String?
            if let n = m.required("name", in: label), let text = n.string("\(label) name") {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty { n.error("\(label) name is empty; give the name the journal shows") } else { name = trimmed }
            }
            let roles = m.required("roles", in: label).flatMap { self.roles($0, label: label) }
            var unix: String?
            if let n = m["unix"], let account = n.string("\(label) unix") {
                if !Self.isValidAccount(account) {
                    n.error("\(label) unix '\(account)' is not a Unix account name (letters, digits, '.', '-', '_'; not starting with '-')")
                } else if let other = accounts[account] {
                    n.error("Unix account '\(account)' is already user '\(other.login)' (line \(other.at.line)); one account is one user")
                } else {
                    accounts[account] = (login ?? "?", n.location)
                    unix = account
                }
            }
            var hash: String?
            if let n = m["password_hash"], let text = n.string("\(label) password_hash") {
                if let problem = Self.bcryptFormatProblem(text) {
                    n.error("\(label) password_hash \(problem); make one with `watchroomd hash-password` (or htpasswd -nbB)")
                } else { hash = text }
            }
            if let login, let name, let roles {
                users.append(SiteUser(login: login, name: name, roles: roles, unix: unix, passwordHash: hash))
            }
        }
        return users
    }

    /// A `board:` nobody can log in to is a board nobody can use: it needs a user with a
    /// `password_hash`. Reported at the `board` key, naming what to add and how to make it.
    func checkBoardLogin(_ top: YMap, users: [SiteUser]) {
        guard let key = top.keyNode("board"), !users.contains(where: \.canLogIn) else { return }
        let whom = users.isEmpty ? "add a users: entry (login, name, roles)" : "give one of the users"
        key.error("board: no user can log in (none has a password); \(whom) with a board password in users[].password_hash, made by `watchroomd hash-password`")
    }

    private func roles(_ n: YNode, label: String) -> [Role]? {
        guard let items = n.list("\(label) roles") else { return nil }
        if items.isEmpty { n.error("\(label) has no roles; give at least one of \(Self.roleNames)"); return nil }
        var out: [Role] = []
        var ok = true
        for item in items {
            guard let text = item.string("each role of \(label)") else { ok = false; continue }
            guard let role = Role(rawValue: text) else {
                let hint = Role.allCases.map(\.rawValue).min { editDistance($0, text) < editDistance($1, text) }
                    .flatMap { editDistance($0, text) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
                item.error("\(label) has unknown role '\(text)'\(hint); roles: \(Self.roleNames)")
                ok = false
                continue
            }
            if !out.contains(role) { out.append(role) }
        }
        return ok ? out : nil
    }

    static var roleNames: String { Role.allCases.map(\.rawValue).joined(separator: ", ") }

    static func isValidLogin(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.count <= 64 else { return false }
        let ok = { (c: Unicode.Scalar) in c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)) }
        return ok(first) && s.unicodeScalars.allSatisfy { ok($0) || $0 == "." || $0 == "-" || $0 == "_" }
    }

    /// What useradd accepts by default (and a little more: upper case), never a leading '-'.
    static func isValidAccount(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first != "-", s.count <= 32 else { return false }
        return s.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_")
        }
    }

    /// Why `text` is not a bcrypt hash in the modular crypt format (`$2b$12$` + 22 salt + 31 hash
    /// characters of bcrypt's base64), or nil when it is one.
    static func bcryptFormatProblem(_ text: String) -> String? {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty else { return "is not a bcrypt hash ($2b$COST$ and 53 characters)" }
        guard ["2a", "2b", "2y"].contains(parts[1]) else {
            return "has version '$\(parts[1])$'; bcrypt hashes are $2a$, $2b$ or $2y$"
        }
        guard parts[2].count == 2, let cost = Int(parts[2]), (4...31).contains(cost) else {
            return "has cost '\(parts[2])'; the cost is two digits, 04 to 31"
        }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        guard parts[3].count == 53, parts[3].allSatisfy({ alphabet.contains($0) }) else {
            return "does not end in 53 characters of salt and hash (bcrypt's base64: ./A-Za-z0-9)"
        }
        return nil
    }
}
