import Access
import SiteConfig
import Testing

private let users = [
    SiteUser(login: "zhangsan", name: "张三", roles: [.operator], unix: "zhangsan"),
    SiteUser(login: "li", name: "李强", roles: [.leader], unix: "li"),
    SiteUser(login: "fix", name: "维修工", roles: [.maintenance], unix: "fix"),
    SiteUser(login: "zhao", name: "赵主任", roles: [.director], unix: "zhao"),
    SiteUser(login: "wall", name: "值班大屏", roles: [.display]),
    SiteUser(login: "boss", name: "管理员", roles: [.admin], unix: "boss"),
]
private let site = SiteUsers(users: users, configFile: "/etc/watchroom/site.yaml")
private func actor(_ login: String) -> Actor { Actor(user: site.user(named: login)!, carrier: .unix(login)) }

/// The issue's table of who may do what.
struct RoleTableTests {
    @Test("the display sees everything and acts on nothing")
    func display() {
        #expect(actor("wall").may(.view).isAllowed)
        for a in Action.allCases where a != .view { #expect(!actor("wall").may(a).isAllowed, "\(a)") }
    }

    @Test("an operator handles alarms, areas, visitors with an approver, playback requests, handovers and media")
    func operatorRights() {
        let op = actor("zhangsan")
        for a: Action in [.acknowledge, .note, .reset, .shelve, .arm, .disarm, .registerVisitor, .requestPlayback, .recordHandover, .loadMedium] {
            #expect(op.may(a).isAllowed, "\(a)")
        }
        for a: Action in [.approveVisitor, .approvePlayback, .unshelve, .outOfService, .returnToService, .selfTest, .closeRepair, .actForAnother] {
            #expect(!op.may(a).isAllowed, "\(a)")
        }
    }

    @Test("a leader has the operator's rights and approves visitors, unshelves, takes zones out of service; never playback")
    func leaderRights() {
        let l = actor("li")
        for a: Action in [.acknowledge, .reset, .approveVisitor, .unshelve, .outOfService, .returnToService] { #expect(l.may(a).isAllowed, "\(a)") }
        #expect(!l.may(.approvePlayback).isAllowed)
    }

    @Test("maintenance runs self-tests and checks, closes repairs, takes zones under test out of service, and nothing else")
    func maintenanceRights() {
        let m = actor("fix")
        for a: Action in [.selfTest, .equipmentCheck, .closeRepair, .outOfServiceUnderTest, .view] { #expect(m.may(a).isAllowed, "\(a)") }
        for a: Action in [.outOfService, .acknowledge, .approvePlayback, .approveVisitor] { #expect(!m.may(a).isAllowed, "\(a)") }
    }

    @Test("only the director (and admin) approves playback; the director also approves visitors and reads everything")
    func playbackApprovers() {
        let allowed = users.filter { Actor(user: $0, carrier: .unix("x")).may(.approvePlayback).isAllowed }.map(\.login)
        #expect(allowed == ["zhao", "boss"])
        #expect(actor("zhao").may(.approveVisitor).isAllowed && actor("zhao").may(.view).isAllowed)
        #expect(!actor("zhao").may(.acknowledge).isAllowed)
    }

    @Test("admin may do everything, including acting for another user")
    func admin() {
        for a in Action.allCases { #expect(actor("boss").may(a).isAllowed, "\(a)") }
    }

    @Test("a refusal names the role needed and the actor, never other people's names")
    func refusalWording() throws {
        guard case .refused(let r) = actor("zhangsan").may(.approvePlayback) else { Issue.record("not refused"); return }
        #expect(r.message.contains("director or admin role"), "\(r.message)")
        #expect(r.message.contains("张三"))
        for other in users where other.login != "zhangsan" {
            #expect(!r.message.contains(other.name) && !r.message.contains(other.login), "\(r.message)")
        }
        guard case .refused(let u) = actor("zhangsan").may(.unshelve) else { Issue.record("not refused"); return }
        #expect(u.message.contains("leader or admin role"), "\(u.message)")
    }

    @Test("trust mode believes the typed name and allows everything")
    func trustMode() throws {
        let open = SiteUsers(users: [], configFile: "site.yaml")
        let a = try open.actor(account: "nobody", uid: 1234, typed: "Mallory")
        #expect(a.isTrusted && a.name == "Mallory" && a.carrier.unix == "nobody")
        for action in Action.allCases { #expect(a.may(action).isAllowed) }
    }
}

/// Who a control-socket caller is, and what a typed --user may say.
struct CallerTests {
    @Test("a caller is the user whose unix names their account; no --user means themselves")
    func callerByAccount() throws {
        let a = try site.actor(account: "zhangsan", uid: 1001, typed: nil)
        #expect(a.login == "zhangsan" && a.name == "张三" && a.carrier == .unix("zhangsan") && a.actingFor == nil)
        #expect(try site.actor(account: "zhangsan", uid: 1001, typed: "张三").login == "zhangsan")
        #expect(try site.actor(account: "zhangsan", uid: 1001, typed: "zhangsan").recordedName == "张三")
    }

    @Test("an operator cannot act under another name, even the director's")
    func notAnotherName() {
        #expect { try site.actor(account: "zhangsan", uid: 1001, typed: "赵主任") } throws: { e in
            guard let r = e as? Refusal else { return false }
            return r.kind == .notYou && r.message.contains("only an admin") && r.message.contains("张三")
        }
    }

    @Test("an account that is no site user is refused naming the account and users[].unix")
    func unknownAccount() {
        #expect { try site.actor(account: "mallory", uid: 1500, typed: "张三") } throws: { e in
            guard let r = e as? Refusal else { return false }
            return r.kind == .unknownCaller && r.message.contains("'mallory'") && r.message.contains("users[].unix")
                && r.message.contains("/etc/watchroom/site.yaml") && !r.message.contains("张三")
        }
    }

    @Test("root is admin, and an admin acting for another user is recorded as both")
    func rootActsFor() throws {
        let root = try site.actor(account: "root", uid: 0, typed: nil)
        #expect(root.roles == [.admin] && root.login == "root")
        let a = try site.actor(account: "boss", uid: 1600, typed: "zhangsan")
        #expect(a.login == "boss" && a.actingFor == .init(login: "zhangsan", name: "张三") && a.recordedName == "张三")
        #expect(a.description == "管理员 (boss) for 张三 (zhangsan)")
        #expect(throws: Refusal.self) { try site.actor(account: "boss", uid: 1600, typed: "nobody-like-this") }
    }

    @Test("the board logs a user in by login and bcrypt password, and nobody else")
    func boardLogin() {
        let hash = Bcrypt.hash(password: "wall-pass", cost: 4)
        let s = SiteUsers(users: [SiteUser(login: "wall", name: "值班大屏", roles: [.display], passwordHash: hash),
                                  SiteUser(login: "zhao", name: "赵主任", roles: [.director])], configFile: "site.yaml")
        #expect(s.authenticate(login: "wall", password: "wall-pass")?.login == "wall")
        #expect(s.authenticate(login: "wall", password: "wrong") == nil)
        #expect(s.authenticate(login: "zhao", password: "") == nil)
        #expect(s.authenticate(login: "nobody", password: "wall-pass") == nil)
    }
}
