import Foundation
import SiteConfig
import Testing

private let head = """
    site: {name: Test, timezone: UTC}
    state_dir: /tmp/watchroom-test
    buses:
      - {id: lan, tcp: {host: 127.0.0.1}}
    devices:
      - {id: di-1, bus: lan, unit: 1, profile: io}
    shifts:
      - {name: all, start: "00:00", end: "24:00", leader: {name: A}}

    """
private let hash = "$2b$04$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"

/// `users:` (DESIGN.md section 6): logins, names, roles, Unix accounts, bcrypt hashes.
struct UserConfigTests {
    @Test("users load with their roles, Unix accounts and password hashes")
    func loads() throws {
        let f = try ConfigFixture(site: head + """
            users:
              - {login: zhangsan, name: 张三, roles: [operator], unix: zhangsan, password_hash: "\(hash)"}
              - {login: zhao, name: 赵主任, roles: [director, leader], unix: zhao}
              - {login: wall, name: 值班大屏, roles: [display], password_hash: "\(hash)"}
            """)
        defer { f.remove() }
        let c = try SiteConfigLoader().load(file: f.sitePath)
        #expect(c.users.map(\.login) == ["zhangsan", "zhao", "wall"])
        #expect(c.user(unixAccount: "zhao")?.roles == [.director, .leader])
        #expect(c.user(login: "zhangsan")?.passwordHash == hash)
        #expect(c.boardUsers.map(\.login) == ["zhangsan", "wall"])
        #expect(!c.trustMode && c.trustModeWarning == nil)
    }

    @Test("without users: the site is in trust mode and says what that allows")
    func trustMode() throws {
        let f = try ConfigFixture(site: head)
        defer { f.remove() }
        let c = try SiteConfigLoader().load(file: f.sitePath)
        #expect(c.users.isEmpty && c.trustMode)
        #expect(c.trustModeWarning?.contains("anyone with access to the control socket can approve playback") == true)
    }

    @Test("an unknown role is an error at its place, with a suggestion")
    func unknownRole() throws {
        let (d, f) = try diagnose(head + """
            users:
              - {login: zhangsan, name: 张三, roles: [operater]}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 41, "unknown role 'operater'", "did you mean 'operator'")
    }

    @Test("duplicate logins and duplicate Unix accounts are errors at the second")
    func duplicates() throws {
        let (d, f) = try diagnose(head + """
            users:
              - {login: zhangsan, name: 张三, roles: [operator], unix: zs}
              - {login: zhangsan, name: 张三二, roles: [operator]}
              - {login: li, name: 李强, roles: [leader], unix: zs}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 13, "duplicate user login 'zhangsan'", "line 10")
        expectDiagnostic(d, file: f.sitePath, line: 12, column: 50, "Unix account 'zs'", "user 'zhangsan'")
        #expect(d.count == 2, "\(d)")
    }

    @Test("a malformed password hash is an error that says how to make one")
    func malformedHash() throws {
        let (d, f) = try diagnose(head + """
            users:
              - {login: a, name: A, roles: [operator], password_hash: "secret"}
              - {login: b, name: B, roles: [operator], password_hash: "$2x$04$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"}
              - {login: c, name: C, roles: [operator], password_hash: "$2b$99$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 59, "user 'a' password_hash", "watchroomd hash-password")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 59, "user 'b'", "$2x$")
        expectDiagnostic(d, file: f.sitePath, line: 12, column: 59, "user 'c'", "cost '99'")
    }

    @Test("a user needs a login, a name and at least one role; unknown keys are named")
    func required() throws {
        let (d, f) = try diagnose(head + """
            users:
              - {name: 张三, roles: [operator]}
              - {login: li, roles: []}
              - {login: wang, name: 王, roles: [leader], password: x}
            """)
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 5, "missing required key 'login'")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 5, "user 'li' is missing required key 'name'")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 24, "user 'li' has no roles")
        expectDiagnostic(d, file: f.sitePath, line: 12, column: 45, "unknown key 'password'")
    }

    @Test("a board without any user who can log in is an error at board: naming what to add")
    func boardWithoutLogin() throws {
        for users in ["", "users:\n  - {login: zhao, name: 赵主任, roles: [director], unix: zhao}\n"] {
            let (d, f) = try diagnose(head + users + """
                board: {listen: "127.0.0.1:8080"}
                """)
            let line = users.isEmpty ? 9 : 11
            expectDiagnostic(d, file: f.sitePath, line: line, column: 1, "board", "users[].password_hash", "watchroomd hash-password")
            #expect(d.count == 1, "\(d)")
        }
        let f = try ConfigFixture(site: head + """
            users:
              - {login: wall, name: 值班大屏, roles: [display], password_hash: "\(hash)"}
            board: {listen: "127.0.0.1:8080"}
            """)
        defer { f.remove() }
        #expect(try SiteConfigLoader().load(file: f.sitePath).board != nil)
    }
}
