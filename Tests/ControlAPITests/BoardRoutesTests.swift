import Alarms
@testable import Daemon
import Foundation
import Journal
import Hummingbird
import HummingbirdTesting
import NIOCore
import SiteConfig
import Testing

/// The board's routes in process: logins, sessions, CSRF, roles, actions, history CSV.
struct BoardRoutesTests {
    @Test("a wrong password is refused with 401 and no cookie; the right one gives an HttpOnly, SameSite=Strict session cookie with an expiry")
    func login() async throws {
        let rig = try BoardRig("login")
        try await rig.test { client in
            let wrong = try await client.form("/login", ["username": "zhang", "password": "wrong"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            #expect(wrong.text.contains("用户名或密码错误"))
            let right = try await client.form("/login", ["username": "zhang", "password": "right-horse"])
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/")
            let cookie = try #require(right.headers[.setCookie])
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Max-Age="))
        }
    }

    @Test("every page needs a login: the board and history redirect to /login, the CSV, the stream and the actions answer 401")
    func pagesNeedLogin() async throws {
        let rig = try BoardRig("need-login")
        try await rig.test { client in
            for path in ["/", "/history", "/handover"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .seeOther, "\(path)")
                #expect(r.headers[.location]?.hasPrefix("/login") == true, "\(path)")
            }
            for path in ["/history.csv", "/events", "/api/board"] {
                #expect(try await client.execute(uri: path, method: .get).status == .unauthorized, "\(path)")
            }
            #expect(try await client.execute(uri: "/api/ack", method: .post, body: ByteBuffer(string: "{\"ids\":[1]}")).status == .unauthorized)
            let forged = try await client.execute(uri: "/", method: .get, headers: [.cookie: "watchroom_board=\(String(repeating: "ab", count: 32))"])
            #expect(forged.status == .seeOther)
        }
    }

    @Test("an ack without the session's CSRF token, or from another origin, is refused and changes nothing; with both it acknowledges")
    func csrf() async throws {
        let rig = try BoardRig("csrf")
        await rig.trip([1])
        let id = try #require(await rig.alarms.openAlarms.first?.id)
        try await rig.test { client in
            let zhang = try await client.logIn("zhang", "right-horse")
            #expect(try await client.act("ack", "{\"ids\":[\(id)]}", as: zhang, csrf: "").status == .forbidden)
            #expect(try await client.act("ack", "{\"ids\":[\(id)]}", as: zhang, origin: "http://evil.example").status == .forbidden)
            #expect(await rig.alarms.openAlarms.first?.state == .unacknowledged)
            let ok = try await client.act("ack", "{\"ids\":[\(id)]}", as: zhang)
            #expect(ok.status == .ok)
            let a = try #require(await rig.alarms.openAlarms.first)
            #expect(a.state == .acknowledged)
            #expect(a.acknowledgedBy == "张三")
        }
    }

    @Test("the display role sees the board without action buttons and its actions are refused with 403")
    func displayCannotAct() async throws {
        let rig = try BoardRig("display")
        await rig.trip([1])
        let id = try #require(await rig.alarms.openAlarms.first?.id)
        try await rig.test { client in
            let wall = try await client.logIn("wall", "wall-pass")
            let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: wall.cookie])
            #expect(page.text.contains("data-may-act=\"false\""))
            let refused = try await client.act("ack", "{\"ids\":[\(id)]}", as: wall)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("display") == false || refused.text.contains("acknowledge"))
            #expect(await rig.alarms.openAlarms.first?.state == .unacknowledged)
        }
    }

    @Test("several alarms acknowledged at once; reset refused without a note; shelving beyond the site's maximum refused")
    func actions() async throws {
        let rig = try BoardRig("actions")
        await rig.trip([1, 2])
        let ids = await rig.alarms.openAlarms.map(\.id)
        try await rig.test { client in
            let zhang = try await client.logIn("zhang", "right-horse")
            let ack = try await client.act("ack", "{\"ids\":[\(ids.map(String.init).joined(separator: ","))]}", as: zhang)
            #expect(ack.status == .ok)
            #expect(await rig.alarms.openAlarms.allSatisfy { $0.state == .acknowledged })
            #expect(try await client.act("reset", "{\"id\":\(ids[0])}", as: zhang).status == .badRequest)
            #expect(try await client.act("reset", "{\"id\":\(ids[0]),\"text\":\"  \"}", as: zhang).status == .badRequest)
            #expect(try await client.act("shelve", "{\"id\":\(ids[1]),\"reason\":\"检修\",\"minutes\":61}", as: zhang).status == .badRequest)
            #expect(try await client.act("shelve", "{\"id\":\(ids[1]),\"reason\":\"检修\",\"minutes\":60}", as: zhang).status == .ok)
            #expect(await rig.alarms.openAlarms.first { $0.id == ids[1] }?.shelved != nil)
            let noted = try await client.act("note", "{\"id\":\(ids[0]),\"text\":\"已派人核实\"}", as: zhang)
            #expect(noted.status == .ok)
            #expect(await rig.alarms.openAlarms.first { $0.id == ids[0] }?.notes.map(\.text) == ["已派人核实"])
        }
    }

    @Test("the CSV export starts with a UTF-8 BOM, has a header row and holds the handling note in Chinese")
    func csv() async throws {
        let rig = try BoardRig("csv")
        await rig.trip([1])
        let id = try #require(await rig.alarms.openAlarms.first?.id)
        try await rig.test { client in
            let zhang = try await client.logIn("zhang", "right-horse")
            #expect(try await client.act("note", "{\"id\":\(id),\"text\":\"门已关好, \\\"无异常\\\"\"}", as: zhang).status == .ok)
            let r = try await client.execute(uri: "/history.csv", method: .get, headers: [.cookie: zhang.cookie])
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/csv") == true)
            let bytes = Array(r.body.readableBytesView)
            #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            #expect(text.hasPrefix("id,source,name,"))
            #expect(text.contains("财务室"))
            #expect(text.contains("张三: 门已关好, \"\"无异常\"\"\""))
            let filtered = try await client.execute(uri: "/history.csv?priority=critical", method: .get, headers: [.cookie: zhang.cookie])
            #expect(!String(buffer: filtered.body).contains("财务室"))
        }
    }

    @Test("open alarms are ordered by priority (critical, high, medium, low), newest activity first within one")
    func order() async throws {
        let rig = try BoardRig("order")
        await rig.trip([4, 1, 3, 0, 2])
        let rows = rig.routes.view.rows(await rig.alarms.openAlarms)
        #expect(rows.map(\.source) == ["F1", "Z2", "Z1", "Z3", "Z4"])
        #expect(rows.first { $0.source == "Z1" }?.area == "办公楼")
        #expect(rows.first { $0.source == "Z1" }?.cameras == ["C01"])
        // sound_min_priority high: the critical and high ones sound, medium and low do not.
        #expect(rows.filter(\.sounds).map(\.source) == ["F1", "Z2", "Z1"])
    }

    @Test("the handover page lists the visitors inside who wait for their named approver, and whose approval; an approved one is not listed")
    func handoverVisitorsAwaiting() async throws {
        let rig = try BoardRig("handover-visitors")
        _ = try await rig.routes.duty.visitorIn(name: "王工", org: "消防公司", purpose: "年检", approvedBy: "赵主任", user: "张三", awaiting: "zhao")
        _ = try await rig.routes.duty.visitorIn(name: "刘工", org: "维保公司", purpose: "检修", approvedBy: "赵主任", user: "张三")
        try await rig.test { client in
            let zhang = try await client.logIn("zhang", "right-horse")
            let page = try await client.execute(uri: "/handover", method: .get, headers: [.cookie: zhang.cookie])
            #expect(page.status == .ok)
            #expect(page.text.contains("待批准的来访人员 1 人"), "\(page.text)")
            #expect(page.text.contains("<li data-visitor-id=\"1\">王工（消防公司，年检）"), "\(page.text)")
            #expect(page.text.contains("等待 赵主任（zhao）批准：watchroomctl visitor approve 1"), "\(page.text)")
            #expect(!page.text.contains("刘工"), "an approved visitor does not wait")
        }
    }

    @Test("a logout ends the session: its cookie no longer opens the board")
    func logout() async throws {
        let rig = try BoardRig("logout")
        try await rig.test { client in
            let zhang = try await client.logIn("zhang", "right-horse")
            let r = try await client.form("/logout", ["csrf": zhang.csrf], headers: [.cookie: zhang.cookie])
            #expect(r.status == .seeOther)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: zhang.cookie]).status == .seeOther)
        }
    }

    @Test("after repeated wrong passwords the login is locked, even for the right password, and says so")
    func lockout() async throws {
        var throttle = LoginThrottle()
        throttle.freeAttempts = 10
        throttle.lockAfter = 3
        let rig = try BoardRig("lockout", throttle: throttle)
        try await rig.test { client in
            for _ in 0..<3 { #expect(try await client.form("/login", ["username": "zhang", "password": "x"]).status == .unauthorized) }
            let locked = try await client.form("/login", ["username": "zhang", "password": "right-horse"])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.setCookie] == nil)
            // Another login is not locked with it.
            #expect(try await client.form("/login", ["username": "wall", "password": "wall-pass"]).status == .seeOther)
        }
        // The lock is journaled, once, naming the login (the room's record shows a guessed login).
        let journal = await rig.alarms.journal
        let locks = try journal.events(after: 0, limit: 1000).filter { $0.kind == .loginLocked }
        #expect(locks.count == 1 && locks.first?.user == "zhang" && (locks.first?.text ?? "").contains("board login 'zhang' locked until"),
                "\(locks)")
    }
}

/// The login throttle's rule, on given times.
struct LoginThrottleTests {
    @Test("logins typed by a stranger are kept bounded: many made-up names never grow it past its cap, and a live lock survives them")
    func bounded() {
        var t = LoginThrottle()
        t.maxRecords = 8
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<t.lockAfter { _ = t.failed("zhang", now: t0) }
        guard case .locked = t.verdict(for: "zhang", now: t0) else { Issue.record("zhang should be locked"); return }
        for i in 0..<1000 { _ = t.failed("guess-\(i)-" + String(repeating: "x", count: 10_000), now: t0.addingTimeInterval(Double(i) / 100)) }
        #expect(t.count <= 8)
        #expect(t.verdict(for: "zhang", now: t0.addingTimeInterval(20)) == .locked(until: t0.addingTimeInterval(t.lockFor)))
        // A login longer than the kept key is the same login as its first characters.
        let long = String(repeating: "y", count: 500)
        for _ in 0..<t.lockAfter { _ = t.failed(long, now: t0) }
        guard case .locked = t.verdict(for: long, now: t0) else { Issue.record("the long login should be locked"); return }
    }

    @Test("free attempts, then a doubling wait up to the maximum, then a lock that ends after its time; success clears")
    func schedule() {
        var t = LoginThrottle()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<3 { #expect(t.verdict(for: "a", now: t0) == .allowed(delay: 0)); _ = t.failed("a", now: t0) }
        #expect(t.verdict(for: "a", now: t0) == .allowed(delay: 1))
        _ = t.failed("a", now: t0)
        #expect(t.verdict(for: "a", now: t0) == .allowed(delay: 2))
        _ = t.failed("a", now: t0)
        #expect(t.verdict(for: "a", now: t0) == .allowed(delay: 4))
        let until = t.failed("a", now: t0)
        #expect(until == t0.addingTimeInterval(300))
        #expect(t.verdict(for: "a", now: t0.addingTimeInterval(299)) == .locked(until: t0.addingTimeInterval(300)))
        #expect(t.verdict(for: "b", now: t0) == .allowed(delay: 0))
        #expect(t.verdict(for: "a", now: t0.addingTimeInterval(301)) == .allowed(delay: 0))
        _ = t.failed("a", now: t0.addingTimeInterval(301))
        #expect(t.verdict(for: "a", now: t0.addingTimeInterval(301)) == .allowed(delay: 0))
        t.succeeded("a")
        #expect(t.verdict(for: "a", now: t0) == .allowed(delay: 0))
    }
}
