import Access
import Alarms
import Control
import Foundation
import HTTPTypes
import Hummingbird
import Journal
import Logging
import Records
import NIOCore
import SiteConfig
import Synchronization

/// The board's pages and requests: login, the live board (`/` and its event stream), actions on
/// alarms, history and its CSV, the handover. Every page needs a session; every state-changing
/// request needs the session's CSRF token and, when the browser sends one, an Origin of this host.
final class BoardRoutes: Sendable {
    let alarms: AlarmService
    let duty: DutyService
    let writes: any PointWriteQueue
    let accounts: BoardAccounts
    let sessions: BoardSessions
    let logger: Logger
    let now: @Sendable () -> Date
    let view: BoardView
    /// The live feed all boards share.
    let feed: BoardFeed
    private let throttle = Mutex(LoginThrottle())
    /// How often the event stream looks whether the status strip changed, and pings an idle connection.
    let statusEvery: Duration

    static let cookie = "watchroom_board"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    init(alarms: AlarmService, duty: DutyService, writes: any PointWriteQueue, accounts: BoardAccounts, sessions: BoardSessions,
         logger: Logger, now: @escaping @Sendable () -> Date = { Date() }, throttle: LoginThrottle = LoginThrottle(),
         statusEvery: Duration = .seconds(1)) {
        self.alarms = alarms
        self.duty = duty
        self.writes = writes
        self.accounts = accounts
        self.sessions = sessions
        self.logger = logger
        self.now = now
        let view = BoardView(config: alarms.config)
        self.view = view
        self.throttle.withLock { $0 = throttle }
        self.statusEvery = statusEvery
        self.feed = BoardFeed(bus: alarms.bus, view: view, status: BoardStatusReader(alarms: alarms, now: now), statusEvery: statusEvery)
    }

    var statusReader: BoardStatusReader { BoardStatusReader(alarms: alarms, now: now) }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("login") { [self] request, _ in
            html(BoardPage.login(site: alarms.config.siteName, message: nil, next: nextPath(request)))
        }
        router.post("login") { [self] request, _ in try await login(request) }
        router.post("logout") { [self] request, _ in
            guard let s = session(request) else { return redirect("/login") }
            if let refused = refuseCrossSite(request, s, formToken: try await formToken(request)) { return refused }
            sessions.close(s.id)
            var r = redirect("/login")
            r.headers[.setCookie] = "\(Self.cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return r
        }
        router.get("/") { [self] request, _ in
            guard let s = session(request) else { return redirect("/login") }
            return html(BoardPage.board(site: alarms.config.siteName, session: s, timezone: alarms.config.timezone))
        }
        router.get("events") { [self] request, _ in
            guard let s = session(request) else { return unauthorized() }
            return await eventStream(s)
        }
        router.get("api/board") { [self] request, _ in
            guard let s = session(request) else { return unauthorized() }
            return try json(await snapshot(s))
        }
        for verb in ["ack", "note", "reset", "shelve"] {
            router.post("api/\(verb)") { [self] request, _ in try await action(verb, request) }
        }
        router.get("history") { [self] request, _ in
            guard let s = session(request) else { return redirect("/login?next=/history") }
            let query = HistoryQuery(request.uri.queryParameters, timezone: alarms.config.timezone)
            let rows = try await history(query)
            return html(BoardPage.history(site: alarms.config.siteName, session: s, query: query, rows: rows, view: view))
        }
        router.get("history.csv") { [self] request, _ in
            guard session(request) != nil else { return unauthorized() }
            let query = HistoryQuery(request.uri.queryParameters, timezone: alarms.config.timezone)
            let csv = HistoryCSV.text(try await history(query), view: view, timezone: alarms.config.timezone)
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"watchroom-history.csv\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: [0xEF, 0xBB, 0xBF] + Array(csv.utf8))))
        }
        router.get("handover") { [self] request, _ in
            guard let s = session(request) else { return redirect("/login?next=/handover") }
            let last = try? await duty.handoverRecord(nil)
            let open = view.rows(await alarms.openAlarms)
            // Nil when the journal cannot be read: the page says so rather than "nobody waits".
            let waiting = (try? await duty.visitors(all: false)).map(VisitorAwaitingApproval.waiting)
            return html(BoardPage.handover(site: alarms.config.siteName, session: s, last: last, open: open, waiting: waiting, now: now(),
                                           timezone: alarms.config.timezone))
        }
        return router
    }

    // MARK: sessions

    func session(_ request: Request) -> BoardSessions.Session? {
        sessions.session(Self.cookieValue(request.headers[.cookie], name: Self.cookie), now: now())
    }

    static func cookieValue(_ header: String?, name: String) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces)
            if kv.hasPrefix(name + "=") { return String(kv.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// Nil when `request` may change state for `session`: its CSRF token (header, or form field
    /// `csrf`) matches, and its Origin, when sent, is this host. Else the 403 that says which.
    func refuseCrossSite(_ request: Request, _ session: BoardSessions.Session, formToken: String? = nil) -> Response? {
        if let origin = request.headers[.origin] {
            let host = request.head.authority ?? ""
            guard origin == "http://\(host)" || origin == "https://\(host)" else {
                return problem(.forbidden, "a request from \(origin) may not act on this board")
            }
        }
        guard let token = request.headers[Self.csrfHeader] ?? formToken, token == session.csrf else {
            return problem(.forbidden, "the request lacks this session's CSRF token: reload the board")
        }
        return nil
    }

    private func formToken(_ request: Request) async throws -> String? {
        Self.form(try await request.body.collect(upTo: 64 << 10))["csrf"]
    }

    private func nextPath(_ request: Request) -> String {
        let next = request.uri.queryParameters.get("next").map { String($0) } ?? "/"
        // Only a path of this board: never an open redirect.
        return next.hasPrefix("/") && !next.hasPrefix("//") ? next : "/"
    }

    private func login(_ request: Request) async throws -> Response {
        let fields = Self.form(try await request.body.collect(upTo: 64 << 10))
        let user = fields["username"] ?? "", password = fields["password"] ?? ""
        let next = fields["next"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/"
        let site = alarms.config.siteName
        if let origin = request.headers[.origin], let host = request.head.authority,
           origin != "http://\(host)", origin != "https://\(host)" {
            return html(BoardPage.login(site: site, message: "跨站登录请求被拒绝", next: next), status: .forbidden)
        }
        switch throttle.withLock({ $0.verdict(for: user, now: now()) }) {
        case .locked(let until):
            let left = Int(until.timeIntervalSince(now()).rounded(.up))
            return html(BoardPage.login(site: site, message: "登录已锁定，请 \(left) 秒后再试", next: next), status: .tooManyRequests)
        case .allowed(let delay):
            if delay > 0 { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
        }
        guard let account = accounts.check(user, password) else {
            if let until = throttle.withLock({ $0.failed(user, now: now()) }) {
                logger.warning("board: login '\(Printable.line(user))' locked until \(until) after repeated wrong passwords")
                // Journaled too: a login guessed at is part of the room's record.
                let login = Printable.line(String(user.prefix(64)))
                await alarms.record(AlarmEvent(kind: .loginLocked, time: now(), user: login,
                                               text: "board login '\(login)' locked until \(SiteClock.named(alarms.config.timezone).formatWithOffset(until, seconds: true)) after repeated wrong passwords"))
            } else {
                logger.notice("board: wrong password for '\(Printable.line(user))'")
            }
            return html(BoardPage.login(site: site, message: "用户名或密码错误", next: next), status: .unauthorized)
        }
        throttle.withLock { $0.succeeded(user) }
        let s = sessions.open(account, now: now())
        logger.notice("board: \(account.login) logged in")
        var r = redirect(next)
        r.headers[.setCookie] = "\(Self.cookie)=\(s.id); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(sessions.lifetime))"
        return r
    }

    /// `a=b&c=d` (application/x-www-form-urlencoded).
    static func form(_ buffer: ByteBuffer) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let k = kv.first { out[k] = kv.count > 1 ? kv[1] : "" }
        }
        return out
    }

    // MARK: board

    func snapshot(_ s: BoardSessions.Session) async -> BoardSnapshot {
        BoardSnapshot(alarms: view.rows(await alarms.openAlarms), status: await statusReader.status(), user: s.account.name,
                      mayAct: s.account.mayAct, soundMinPriority: view.soundMin.rawValue)
    }

    /// Server-sent events: a `snapshot` first (the page replaces what it shows), then one
    /// `alarms` message (an array of rows) per batch of committed alarm events, a `status` when
    /// the strip may have changed, pings while idle; all but the snapshot shared with every board
    /// (`BoardFeed`). The browser's EventSource reconnects by itself and gets a fresh snapshot.
    func eventStream(_ s: BoardSessions.Session) async -> Response {
        // Joined before the snapshot is read: an event in between is shown twice, never lost.
        let (id, messages, unwritten) = feed.join()
        let first = await snapshot(s)
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: ResponseBody { [feed] writer in
            defer { feed.leave(id) }
            var opening = ByteBuffer(string: "retry: 2000\n\n")
            opening.writeImmutableBuffer(BoardFeed.message("snapshot", first))
            try await writer.write(opening)
            for await message in messages {
                try await writer.write(message)
                unwritten.written(message.readableBytes)
            }
            try await writer.finish(nil)
        })
    }

    // MARK: actions

    struct ActionBody: Decodable {
        var ids: [Int]?
        var id: Int?
        var text: String?
        var reason: String?
        var minutes: Int?
    }

    struct ActionResult: Encodable {
        struct Refused: Encodable { let id: Int; let error: String }
        var done: [Int] = []
        var refused: [Refused] = []
    }

    /// Ack several, note, reset (with its note; refused without one) or shelve (within the site's
    /// maximum), as the session's user, through the same commands as the control API.
    private func action(_ verb: String, _ request: Request) async throws -> Response {
        guard let s = session(request) else { return unauthorized() }
        if let refused = refuseCrossSite(request, s) { return refused }
        let needed: Action = switch verb { case "ack": .acknowledge; case "note": .note; case "reset": .reset; default: .shelve }
        guard s.account.may(needed) else {
            let roles = RoleTable.roles(allowing: needed).map(\.rawValue).joined(separator: ", ")
            return problem(.forbidden, "\(s.account.name) (\(s.account.login)) may not \(needed.phrase): that needs the role \(roles)")
        }
        let buffer = try await request.body.collect(upTo: 64 << 10)
        guard let body = try? JSONDecoder().decode(ActionBody.self, from: Data(buffer.readableBytesView)) else {
            return problem(.badRequest, "the request body is not this action's JSON")
        }
        let user = s.account.name
        let ids = body.ids ?? body.id.map { [$0] } ?? []
        guard !ids.isEmpty else { return problem(.badRequest, "name at least one alarm") }
        var plan: [(Int, [OperatorCommand])] = []
        for id in ids {
            switch verb {
            case "ack": plan.append((id, [.acknowledge(alarm: id, user: user)]))
            case "note":
                guard let text = body.text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                    return problem(.badRequest, "a note needs its text")
                }
                plan.append((id, [.note(alarm: id, user: user, text: text)]))
            case "reset":
                guard let text = body.text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                    return problem(.badRequest, "a reset needs a handling note (what was found, what was done)")
                }
                plan.append((id, [.note(alarm: id, user: user, text: text), .reset(alarm: id, user: user)]))
            default:
                let reason = body.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                guard !reason.isEmpty else { return problem(.badRequest, "shelving needs a reason") }
                let minutes = body.minutes ?? 0
                let max = Int(alarms.config.maxShelve.components.seconds / 60)
                guard minutes >= 1, minutes <= max else {
                    return problem(.badRequest, "shelve for 1 to \(max) minutes (the site's maximum), not \(minutes)")
                }
                plan.append((id, [.shelve(alarm: id, user: user, reason: reason, duration: .seconds(minutes * 60))]))
            }
        }
        var result = ActionResult()
        for (id, commands) in plan {
            do {
                for c in commands { _ = try await alarms.command(c) }
                result.done.append(id)
            } catch {
                result.refused.append(.init(id: id, error: "\(error)"))
            }
        }
        for w in await alarms.takeWrites() { writes.enqueue(w) }
        logger.info("board: \(user) \(verb) \(result.done.map(String.init).joined(separator: ","))")
        return try json(result)
    }

    // MARK: history

    private func history(_ q: HistoryQuery) async throws -> [Alarm] {
        // Newest first; the filter runs over at most the last 5000 alarms.
        let all = try await alarms.journal.reading { try $0.alarms(before: nil, limit: 5000) }
        return all.filter { q.matches($0, config: alarms.config) }.prefix(q.limit).map { $0 }
    }

    // MARK: answers

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                           .init("Content-Security-Policy")!: "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
                                           .init("X-Content-Type-Options")!: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func redirect(_ to: String) -> Response { Response(status: .seeOther, headers: [.location: to]) }

    func unauthorized() -> Response { problem(.unauthorized, "log in first (/login)") }

    func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Daemon.error(status, message, ControlError.code(for: status))
    }
}
