import Alarms
@testable import Daemon
import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import Logging
import NIOCore
import Polling
import SiteConfig

/// The board's routes over a real alarm service and journal (a temp SQLite file), in process:
/// a site with zones of every priority on one DI module, and two accounts given in the test
/// (zhang, an operator; wall, the display), so no bcrypt work slows the tests.
struct BoardRig {
    let dir: URL
    let config: SiteConfig
    let alarms: AlarmService
    let routes: BoardRoutes
    let writes = RecordedWrites()
    let app: Application<RouterResponder<BasicRequestContext>>

    /// di-1 inputs: 0 fire F1 (critical), 1 and 2 24h Z1, Z2 (high), 3 24h Z3 set to medium, 4 24h Z4 set to low.
    init(_ name: String, throttle: LoginThrottle = LoginThrottle()) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-board-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let yaml = """
            site: {name: 测试园区, timezone: Asia/Shanghai}
            state_dir: \(dir.path)
            control: {socket: \(dir.path)/control.sock}
            board: {listen: "127.0.0.1:8080", sound_min_priority: high}
            users:
              - {login: zhang, name: 张三, roles: [operator], password_hash: "$2b$04$PWuSeOQ99Gy83Otnwh42w.o3mEWrfrrpmENma.F7AbPOHggFB4986"}
              - {login: wall, name: 值班大屏, roles: [display], password_hash: "$2b$04$pqUihtUYRPbBPRIuEoJusOzYuX63n/agAbgETOZy1QJHmPqBY47mS"}
            alarms: {max_shelve_minutes: 60}
            buses:
              - {id: lan, tcp: {host: 127.0.0.1, port: 1502}, poll_interval_ms: 250, timeout_ms: 200}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
            recorders:
              - {id: NVR-1, name: 1号录像机, cameras: [C01], retention_days: 14}
            areas:
              - {id: office, name: 办公楼}
            zones:
              - {id: F1, name: 消防主机火警, type: fire, input: "di-1.di[0]"}
              - {id: Z1, name: 财务室, type: 24h, input: "di-1.di[1]", area: office, cameras: [C01]}
              - {id: Z2, name: 机房, type: 24h, input: "di-1.di[2]"}
              - {id: Z3, name: 仓库, type: 24h, input: "di-1.di[3]", priority: medium}
              - {id: Z4, name: 车棚, type: 24h, input: "di-1.di[4]", priority: low}

            """
        let file = dir.appendingPathComponent("site.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        config = try SiteConfigLoader(profileDirectories: [APIRig.root.appendingPathComponent("devices").path]).load(file: file)
        let journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        alarms = try AlarmService(config: config, journal: journal, logger: logger)
        let duty = DutyService(config: config, journal: journal, alarms: alarms)
        let accounts = BoardAccounts { login, password in
            switch (login, password) {
            case ("zhang", "right-horse"): BoardAccount(login: "zhang", name: "张三", roles: [.operator])
            case ("wall", "wall-pass"): BoardAccount(login: "wall", name: "值班大屏", roles: [.display])
            default: nil
            }
        }
        routes = BoardRoutes(alarms: alarms, duty: duty, writes: writes, accounts: accounts,
                             sessions: BoardSessions(file: dir.appendingPathComponent("board-sessions.json").path),
                             logger: logger, throttle: throttle)
        app = Application(router: routes.makeRouter())
    }

    func scan(closed: Set<Int>) -> PollEvent {
        let t = Date()
        return .scan(DeviceScan(device: "di-1", bus: "lan", time: t,
                                values: ["di": PointValue(readings: (0..<16).map { .bool(closed.contains($0)) }, quality: .good, time: t)],
                                requests: 1))
    }

    /// Trips the inputs in order, each in its own scan (a normal scan first).
    func trip(_ inputs: [Int]) async {
        await alarms.ingest([scan(closed: [])])
        var closed: Set<Int> = []
        for i in inputs {
            closed.insert(i)
            await alarms.ingest([scan(closed: closed)])
        }
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await app.test(.router, body)
    }
}

/// A logged-in browser as the tests see it: its cookie and its CSRF token.
struct BoardLogin: Sendable {
    let cookie: String
    let csrf: String
}

extension TestClientProtocol {
    func form(_ uri: String, _ fields: [String: String], headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
    }

    /// Logs in and reads the session's CSRF token from the board page.
    func logIn(_ user: String, _ password: String) async throws -> BoardLogin {
        let r = try await form("/login", ["username": user, "password": password])
        guard let set = r.headers[.setCookie], let cookie = set.split(separator: ";").first.map(String.init) else {
            throw BoardTestFailure("login of \(user) gave \(r.status), no cookie")
        }
        let page = try await execute(uri: "/", method: .get, headers: [.cookie: cookie])
        guard let range = page.text.range(of: "<meta name=\"csrf\" content=\""),
              let end = page.text[range.upperBound...].firstIndex(of: "\"") else { throw BoardTestFailure("no csrf meta on the board") }
        return BoardLogin(cookie: cookie, csrf: String(page.text[range.upperBound..<end]))
    }

    /// An action as the page sends it.
    func act(_ verb: String, _ json: String, as login: BoardLogin, csrf: String? = nil, origin: String? = nil) async throws -> TestResponse {
        var h: HTTPFields = [.cookie: login.cookie, .contentType: "application/json"]
        h[BoardRoutes.csrfHeader] = csrf ?? login.csrf
        if let origin { h[.origin] = origin }
        return try await execute(uri: "/api/\(verb)", method: .post, headers: h, body: ByteBuffer(string: json))
    }
}

struct BoardTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
