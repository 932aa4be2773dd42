import Access
import Daemon
import Alarms
import Control
import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import Records
import SiteConfig
import Testing

private let users = """
    users:
      - {login: zhangsan, name: 张三, roles: [operator], unix: zhangsan}
      - {login: li, name: 李强, roles: [leader], unix: li}
      - {login: fix, name: 维修工, roles: [maintenance], unix: fix}
      - {login: wall, name: 值班大屏, roles: [display], unix: wall}
      - {login: boss, name: 管理员, roles: [admin], unix: boss}
      - {login: zhao, name: 赵主任, roles: [director], unix: zhao}

    """
private let accounts: [UInt32: String] = [0: "root", 1001: "zhangsan", 1002: "li", 1003: "fix", 1004: "wall", 1005: "boss", 1500: "mallory", 1006: "zhao"]

/// The control API with users, the caller injected as SO_PEERCRED would report it.
struct CallerRoutesTests {
    @Test("an admin acting for another user is recorded as both; the event's user is the one acted for")
    func adminActsFor() async throws {
        let rig = try APIRig("acting-for", users: users, accounts: accounts)
        await rig.raise([2])
        rig.caller.uid = 1005
        try await rig.test { client in
            let r = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: "zhangsan"))
            #expect(r.status == .ok, "\(r.text)")
            let e = try #require(try r.decoded(CommandResult.self).events.first)
            #expect(e.user == "张三" && e.actor?.login == "boss" && e.actor?.actingFor?.login == "zhangsan" && e.actor?.carrier.unix == "boss")
            let stored = try rig.journal.events(after: 0).first { $0.kind == .acknowledged }
            #expect(stored?.actor == e.actor, "the journal keeps the actor")
        }
    }

    @Test("a display user acts on nothing and is told which role is needed; whoami lists its roles")
    func displayActsOnNothing() async throws {
        let rig = try APIRig("display", users: users, accounts: accounts)
        await rig.raise([2])
        rig.caller.uid = 1004
        try await rig.test { client in
            let r = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: nil))
            #expect(r.status == .forbidden && r.errorBody?.code == "forbidden", "\(r.text)")
            #expect(r.errorBody?.error.contains("needs the operator, leader or admin role") == true, "\(r.text)")
            let w = try await client.execute(uri: "/v1/whoami", method: .get).decoded(Whoami.self)
            #expect(!w.trustMode && w.login == "wall" && w.roles == ["display"] && w.may == ["view"] && w.unix == "wall")
        }
    }

    @Test("root is admin without being listed; an unlisted account is refused naming the account and users[].unix")
    func rootAndStranger() async throws {
        let rig = try APIRig("root", users: users, accounts: accounts)
        await rig.raise([2])
        try await rig.test { client in
            rig.caller.uid = 1500
            var r = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: "张三"))
            #expect(r.status == .forbidden && r.errorBody?.code == "unknown-caller", "\(r.text)")
            #expect(r.errorBody?.error.contains("'mallory'") == true && r.errorBody?.error.contains("users[].unix") == true)
            rig.caller.uid = nil
            r = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: "张三"))
            #expect(r.status == .forbidden && r.errorBody?.code == "unknown-caller", "no peer credentials: \(r.text)")
            rig.caller.uid = 0
            r = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: nil))
            #expect(r.status == .ok, "\(r.text)")
            #expect(try r.decoded(CommandResult.self).events.first?.actor?.roles == [.admin])
        }
    }

    @Test("an account that is no site user is refused every read too; only health and whoami answer, whoami saying who it is not")
    func strangerReadsNothing() async throws {
        let rig = try APIRig("stranger-reads", users: users, accounts: accounts)
        await rig.raise([2])
        try await rig.test { client in
            rig.caller.uid = 1500
            for uri in ["/v1/status", "/v1/alarms", "/v1/alarms/1", "/v1/events", "/v1/watch", "/v1/visitors", "/v1/recordings/requests",
                        "/v1/notifications", "/v1/self-test/report", "/v1/handovers/last", "/v1/equipment/log", "/v1/nowhere"] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .forbidden && r.errorBody?.code == "unknown-caller", "\(uri): \(r.text)")
                #expect(r.errorBody?.error.contains("'mallory'") == true && r.errorBody?.error.contains("users[].unix") == true, "\(uri): \(r.text)")
                #expect(r.errorBody?.error.contains("张三") == false, "\(uri): names nobody else")
            }
            #expect(try await client.execute(uri: "/v1/health", method: .get).status == .ok)
            let w = try await client.execute(uri: "/v1/whoami", method: .get)
            #expect(w.status == .ok, "\(w.text)")
            let me = try w.decoded(Whoami.self)
            #expect(!me.trustMode && me.unix == "mallory" && me.login == nil && me.roles.isEmpty && me.may.isEmpty, "\(w.text)")
            #expect(me.refusal?.contains("users[].unix") == true, "\(w.text)")
            rig.caller.uid = 0
            #expect(try await client.execute(uri: "/v1/status", method: .get).status == .ok, "root reads")
            rig.caller.uid = 1004
            #expect(try await client.execute(uri: "/v1/alarms", method: .get).status == .ok, "a display user reads")
        }
    }

    @Test("maintenance takes a zone under a running self-test out of service, and no other zone")
    func maintenanceUnderTest() async throws {
        let rig = try APIRig("maintenance", users: users, accounts: accounts)
        await rig.alarms.ingest([rig.scan(closed: [])])  // read once: a zone never read fails its test at once
        rig.caller.uid = 1003
        try await rig.test { client in
            var r = try await client.send(.post, "/v1/zones/Z1/out-of-service", json: CommandBody(user: nil, reason: "换探头"))
            #expect(r.status == .forbidden && r.errorBody?.error.contains("leader or admin role") == true, "\(r.text)")
            r = try await client.send(.post, "/v1/self-test", json: CommandBody(user: nil, zones: ["P1"]))
            #expect(r.status == .ok, "\(r.text)")
            r = try await client.send(.post, "/v1/zones/P1/out-of-service", json: CommandBody(user: nil, reason: "测试中发现故障"))
            #expect(r.status == .ok, "\(r.text)")
            #expect(try r.decoded(CommandResult.self).events.first?.user == "维修工")
            // An operator cannot, under test or not.
            rig.caller.uid = 1001
            r = try await client.send(.post, "/v1/zones/P1/return-to-service", json: CommandBody(user: nil))
            #expect(r.status == .forbidden, "\(r.text)")
        }
    }

    @Test("a visitor: an operator names a user who may approve; a leader approves as themselves; refusals list nobody")
    func visitorApprovals() async throws {
        let rig = try APIRig("visitors", users: users, accounts: accounts)
        try await rig.test { client in
            rig.caller.uid = 1001
            var r = try await client.send(.post, "/v1/visitors", json: DutyBody(name: "王工", org: "消防公司", purpose: "年检", approvedBy: "李强"))
            #expect(r.status == .ok, "\(r.text)")
            let v = try r.decoded(Visitor.self)
            #expect(v.approvedBy == "李强" && v.registeredBy == "张三" && v.registrar?.carrier.unix == "zhangsan")
            // An operator cannot approve; naming another operator (or nobody known) is refused without a list of approvers.
            r = try await client.send(.post, "/v1/visitors", json: DutyBody(name: "王工", org: "消防公司", purpose: "年检"))
            #expect(r.status == .forbidden && r.errorBody?.error.contains("leader, director") == true, "\(r.text)")
            r = try await client.send(.post, "/v1/visitors", json: DutyBody(name: "王工", org: "消防公司", purpose: "年检", approvedBy: "张三"))
            #expect(r.status == .forbidden, "naming oneself without the role: \(r.text)")
            r = try await client.send(.post, "/v1/visitors", json: DutyBody(name: "王工", org: "消防公司", purpose: "年检", approvedBy: "维修工"))
            #expect(r.status == .badRequest && r.errorBody?.error.contains("李强") == false && r.errorBody?.error.contains("管理员") == false, "\(r.text)")
            rig.caller.uid = 1002
            r = try await client.send(.post, "/v1/visitors", json: DutyBody(name: "赵工", org: "电梯公司", purpose: "维保"))
            #expect(r.status == .ok && (try? r.decoded(Visitor.self).approvedBy) == "李强", "\(r.text)")
            let selfApproved = try r.decoded(Visitor.self)
            #expect(!selfApproved.awaitingApproval && selfApproved.approver?.login == "li" && selfApproved.approver?.carrier.unix == "li")
        }
    }

    @Test("a visitor named for another's approval waits until that person confirms with their own command; the journal keeps both")
    func visitorAwaitsNamedApprover() async throws {
        let rig = try APIRig("visitor-wait", users: users, accounts: accounts)
        try await rig.test { client in
            rig.caller.uid = 1001
            var r = try await client.send(.post, "/v1/visitors", json: DutyBody(name: "王工", org: "消防公司", purpose: "年检", approvedBy: "李强"))
            let v = try r.decoded(Visitor.self)
            #expect(v.awaitingApproval && v.awaitingApprovalBy == "li" && v.approver == nil, "\(r.text)")
            var list = try await client.execute(uri: "/v1/visitors", method: .get).decoded([Visitor].self)
            #expect(list.first?.awaitingApproval == true, "the list shows the visit awaiting approval")
            // The registering operator cannot confirm it: the refusal names the role, not the people.
            r = try await client.send(.post, "/v1/visitors/\(v.id)/approve", json: DutyBody())
            #expect(r.status == .forbidden && r.errorBody?.error.contains("leader, director") == true && r.errorBody?.error.contains("李强") == false, "\(r.text)")
            // Another who may approve visitors is not the one named; nor is a typed name enough.
            rig.caller.uid = 1006
            r = try await client.send(.post, "/v1/visitors/\(v.id)/approve", json: DutyBody(by: "李强"))
            #expect(r.status == .forbidden && r.errorBody?.error.contains("李强") == false, "\(r.text)")
            r = try await client.send(.post, "/v1/visitors/\(v.id)/approve", json: DutyBody())
            #expect(r.status == .forbidden && r.errorBody?.error.contains("李强") == false, "\(r.text)")
            #expect(try rig.journal.visitors(since: nil).first?.awaitingApproval == true, "still waiting")
            // The named leader confirms as themselves.
            rig.caller.uid = 1002
            r = try await client.send(.post, "/v1/visitors/\(v.id)/approve", json: DutyBody())
            #expect(r.status == .ok, "\(r.text)")
            let stored = try #require(try rig.journal.visitors(since: nil).first)
            #expect(!stored.awaitingApproval && stored.approver?.login == "li" && stored.approver?.name == "李强" && stored.approver?.carrier.unix == "li")
            #expect(stored.registrar?.login == "zhangsan" && stored.registrar?.carrier.unix == "zhangsan" && stored.approvedAt != nil)
            list = try await client.execute(uri: "/v1/visitors", method: .get).decoded([Visitor].self)
            #expect(list.first?.awaitingApproval == false)
            r = try await client.send(.post, "/v1/visitors/\(v.id)/approve", json: DutyBody())
            #expect(r.status == .conflict, "approved once: \(r.text)")
        }
    }

    @Test("status and the handover list each visitor inside who waits for a named approver, and whom they wait for; once approved, none")
    func visitorsAwaitingInStatusAndHandover() async throws {
        let rig = try APIRig("visitor-status", users: users, accounts: accounts)
        try await rig.test { client in
            rig.caller.uid = 1001
            var r = try await client.send(.post, "/v1/visitors", json: DutyBody(name: "王工", org: "消防公司", purpose: "年检", approvedBy: "李强"))
            let v = try r.decoded(Visitor.self)
            var status = try await client.execute(uri: "/v1/status", method: .get)
            #expect(status.status == .ok, "\(status.text)")
            #expect(status.text.contains("\"visitors_awaiting_approval\":[{"), "\(status.text)")
            let waiting = try #require(try status.decoded(StatusReport.self).visitorsAwaitingApproval)
            #expect(waiting.count == 1 && waiting.first?.visitor == v.id && waiting.first?.name == "王工", "\(waiting)")
            #expect(waiting.first?.approver == "李强" && waiting.first?.approverLogin == "li" && waiting.first?.registeredBy == "张三", "\(waiting)")

            r = try await client.send(.post, "/v1/handovers", json: DutyBody(from: "张三", to: "李强"))
            #expect(r.status == .ok, "\(r.text)")
            let h = try r.decoded(HandoverRecord.self)
            #expect(h.visitorsAwaitingApproval?.map(\.approverLogin) == ["li"], "\(r.text)")
            #expect(h.mustHandOver.contains { $0.contains("AWAITING APPROVAL by 李强 (li)") }, "\(h.mustHandOver)")

            rig.caller.uid = 1002
            #expect(try await client.send(.post, "/v1/visitors/\(v.id)/approve", json: DutyBody()).status == .ok)
            status = try await client.execute(uri: "/v1/status", method: .get)
            #expect(try status.decoded(StatusReport.self).visitorsAwaitingApproval?.isEmpty == true, "\(status.text)")
        }
    }

    @Test("trust mode: whoami says so, and typed names are believed as before")
    func trustMode() async throws {
        let rig = try APIRig("trust", accounts: accounts)
        await rig.raise([2])
        rig.caller.uid = 1500
        try await rig.test { client in
            let w = try await client.execute(uri: "/v1/whoami", method: .get).decoded(Whoami.self)
            #expect(w.trustMode && w.unix == "mallory" && w.login == nil)
            #expect(try await client.execute(uri: "/v1/status", method: .get).status == .ok, "trust mode: anyone on the socket reads")
            let r = try await client.send(.post, "/v1/alarms/1/ack", json: CommandBody(user: "Mallory"))
            #expect(r.status == .ok && (try? r.decoded(CommandResult.self).events.first?.user) == "Mallory", "\(r.text)")
            let none = try await client.send(.post, "/v1/alarms/1/note", json: CommandBody(user: nil, text: "x"))
            #expect(none.status == .badRequest && none.errorBody?.error.contains("--user NAME is required") == true, "\(none.text)")
        }
    }
}
