import Foundation
import Testing

/// A site for the board's browser tests: the simulator serves one 16-input DI module; the
/// daemon serves the board on a free port; zhang (operator) and wall (display) can log in.
struct BoardSite {
    let dir: URL
    let busPort: Int
    let boardPort: Int
    var config: String { dir.appendingPathComponent("site.yaml").path }
    var simSocket: String { dir.appendingPathComponent("sim.sock").path }
    var board: String { "http://127.0.0.1:\(boardPort)" }

    /// bcrypt cost 4 (python3 bcrypt): the lowest cost, so a login in a debug build takes no time.
    static let zhangHash = "$2b$04$PWuSeOQ99Gy83Otnwh42w.o3mEWrfrrpmENma.F7AbPOHggFB4986"  // right-horse
    static let wallHash = "$2b$04$pqUihtUYRPbBPRIuEoJusOzYuX63n/agAbgETOZy1QJHmPqBY47mS"   // wall-pass

    /// `extraZones` more 24h zones on a second module (a flood), `pollMs` the bus's poll interval.
    init(_ name: String, extraZones: Int = 0, pollMs: Int = 100) throws {
        dir = try Paths.tempDir("board-\(name)")
        busPort = try freePort()
        boardPort = try freePort()
        var yaml = """
        site: {name: 东区园区监控中心, timezone: Asia/Shanghai}
        state_dir: \(dir.path)
        control: {socket: \(dir.path)/control.sock}
        profiles: [\(Paths.devices)]
        board: {listen: "127.0.0.1:\(boardPort)", sound_min_priority: high}
        users:
          - {login: zhang, name: 张三, roles: [operator], password_hash: "\(Self.zhangHash)"}
          - {login: wall, name: 值班大屏, roles: [display], password_hash: "\(Self.wallHash)"}
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: \(busPort)}, poll_interval_ms: \(pollMs), timeout_ms: 500}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: generic-di-16, name: 1号开关量模块}

        """
        if extraZones > 0 {
            try """
            model: di-2000
            source: "test fixture: 2000 discrete inputs in one read"
            points:
              di: {table: discrete_input, address: 0, count: 2000}
            """.write(to: dir.appendingPathComponent("di-2000.yaml"), atomically: true, encoding: .utf8)
            yaml += "  - {id: d2, bus: lan, unit: 2, profile: di-2000}\n"
        }
        yaml += """
        areas:
          - {id: office, name: 办公楼}
          - {id: perimeter, name: 周界}
        recorders:
          - {id: NVR-1, name: 1号录像机, cameras: [C01, C02], retention_days: 14}
        zones:
          - {id: F01, name: 消防主机火警, type: fire, input: "di-1.di[0]"}
          - {id: Z09, name: 财务室, type: 24h, input: "di-1.di[1]", area: office, cameras: [C01]}
          - {id: Z10, name: 仓库, type: 24h, input: "di-1.di[2]", priority: medium, area: office}
          - {id: Z11, name: 车棚, type: 24h, input: "di-1.di[3]", priority: low, cameras: [C02]}
          - {id: Z12, name: 机房, type: 24h, input: "di-1.di[4]", area: office}

        """
        for i in 0..<extraZones { yaml += "  - {id: M\(i), name: 仓储区\(i)号, type: 24h, input: \"d2.di[\(i)]\", area: perimeter}\n" }
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
    }
}

/// The simulator and the daemon, running until stopped.
struct BoardDaemon {
    let sim: ChildProcess
    let daemon: ChildProcess

    static func start(_ site: BoardSite) async throws -> BoardDaemon {
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        _ = await sim.waitForLine { $0.contains("simulating bus lan") }
        let daemon = try await startDaemon(site)
        return BoardDaemon(sim: sim, daemon: daemon)
    }

    static func startDaemon(_ site: BoardSite) async throws -> ChildProcess {
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        guard await daemon.waitForLine(timeout: .seconds(20), { $0.contains("board on http://") }) != nil else {
            throw BoardBrowser.Failure(description: "the daemon never served the board: \(daemon.output.suffix(20).joined(separator: "\n"))")
        }
        return daemon
    }

    func set(_ input: String, _ on: Bool, site: BoardSite) async throws {
        _ = try await simulatorCommand("set \(input) \(on)", socket: site.simSocket)
    }

    func stop() async {
        await daemon.stopAndWait()
        await sim.stopAndWait()
    }
}

/// The board in a real browser (headless Chromium over WebDriver), against a real daemon.
@Suite("board in a browser", .timeLimit(.minutes(3)))
struct BoardBrowserTests {
    static let rows = "return [...document.querySelectorAll('#rows [data-alarm-id]')]"

    @Test("a wrong password is refused on the login page; the right one opens the board", .enabled(if: BoardBrowser.missing == nil))
    func loginRefused() async throws {
        let site = try BoardSite("login")
        let room = try await BoardDaemon.start(site)
        let browser = try await BoardBrowser(board: site.board, profile: site.dir.appendingPathComponent("chrome-a"))
        defer { Task { await browser.quit(); await room.stop() } }
        try await browser.logIn("zhang", "wrong")
        #expect(try await browser.text("return location.pathname") == "/login")
        #expect(try await browser.text("return document.getElementById('login-error')?.textContent ?? ''") == "用户名或密码错误")
        try await browser.logIn("zhang", "right-horse")
        #expect(try await browser.until("return location.pathname === '/' && !!document.getElementById('rows')"))
        await browser.quit()
        await room.stop()
    }

    @Test("trips appear without a reload, ordered by priority; the board sounds until acknowledged; an ack in one browser shows in the other; the display role has no buttons and is refused",
          .enabled(if: BoardBrowser.missing == nil))
    func liveBoard() async throws {
        let site = try BoardSite("live")
        let room = try await BoardDaemon.start(site)
        let operatorBrowser = try await BoardBrowser(board: site.board, profile: site.dir.appendingPathComponent("chrome-op"))
        let wallBrowser = try await BoardBrowser(board: site.board, profile: site.dir.appendingPathComponent("chrome-wall"))
        try await operatorBrowser.logIn("zhang", "right-horse")
        try await wallBrowser.logIn("wall", "wall-pass")
        for b in [operatorBrowser, wallBrowser] {
            #expect(try await b.until("return document.getElementById('strip').textContent.includes('总线')"))
            // A mark on the page: it survives only if the page is never reloaded.
            try await b.run("window.__notReloaded = true")
            #expect(try await b.text("return document.body.dataset.sound") == "idle")
        }
        // Low first, then critical, then medium, then high: the board orders them by priority.
        for input in ["di-1.di[3]", "di-1.di[0]", "di-1.di[2]", "di-1.di[1]"] {
            try await room.set(input, true, site: site)
            try await Task.sleep(for: .milliseconds(150))
        }
        for b in [operatorBrowser, wallBrowser] {
            #expect(try await b.until("\(Self.rows).length === 4"))
            #expect(try await b.run("return window.__notReloaded === true") as? Bool == true)
            let order = try await b.run("\(Self.rows).map(e => e.dataset.priority)") as? [String]
            #expect(order == ["critical", "high", "medium", "low"])
            let sources = try await b.run("\(Self.rows).map(e => e.dataset.source)") as? [String]
            #expect(sources == ["F01", "Z09", "Z10", "Z11"])
            #expect(try await b.until("return document.body.dataset.sound === 'playing'"))
        }
        // The wall display: no action buttons, and an ack it forges with its own token is refused.
        #expect(try await wallBrowser.run("return document.querySelectorAll('[data-action]:not([hidden])').length - document.querySelectorAll('#toolbar [data-action]').length") as? Int == 0)
        #expect(try await wallBrowser.run("return document.querySelectorAll('#rows [data-action]').length") as? Int == 0)
        let forged = try await wallBrowser.run("""
            const done = arguments[0];
            return fetch('/api/ack', {method: 'POST', headers: {'Content-Type': 'application/json',
              'X-CSRF-Token': document.querySelector('meta[name=csrf]').content}, body: JSON.stringify({ids: [1, 2, 3, 4]})}).then(r => r.status);
            """)
        #expect(forged as? Int == 403)
        #expect(try await operatorBrowser.run("return document.querySelectorAll('#rows [data-action=ack]').length") as? Int == 4)
        // The operator selects all and acknowledges: the wall shows it without a reload, and both go quiet.
        try await operatorBrowser.click("#select-all")
        try await operatorBrowser.click("#ack-selected")
        for b in [operatorBrowser, wallBrowser] {
            #expect(try await b.until("\(Self.rows).every(e => e.dataset.state === 'acknowledged')"))
            #expect(try await b.until("return document.body.dataset.sound === 'idle'"))
            #expect(try await b.run("return window.__notReloaded === true") as? Bool == true)
        }
        #expect(try await wallBrowser.text("return document.querySelector('#rows [data-source=Z09]').textContent").contains("张三"))
        await operatorBrowser.quit()
        await wallBrowser.quit()
        await room.stop()
    }

    @Test("the history CSV needs a login, and holds the handling note written on the board", .enabled(if: BoardBrowser.missing == nil))
    func csvNeedsLogin() async throws {
        let site = try BoardSite("csv")
        let room = try await BoardDaemon.start(site)
        // Without a session: no CSV.
        let anonymous = try await PlainHTTP.send(port: site.boardPort, "GET", "/history.csv")
        #expect(anonymous.status == 401)
        #expect(!String(decoding: anonymous.body, as: UTF8.self).contains("id,source"))
        let browser = try await BoardBrowser(board: site.board, profile: site.dir.appendingPathComponent("chrome-csv"))
        try await browser.logIn("zhang", "right-horse")
        try await room.set("di-1.di[1]", true, site: site)
        #expect(try await browser.until("\(Self.rows).length === 1"))
        // The note through the board's dialog, as an operator writes it.
        try await browser.click("#rows [data-action=note]")
        try await browser.run("document.getElementById('dialog-text').value = '已到场核实，门已锁好'")
        try await browser.click("#dialog-ok")
        #expect(try await browser.until("return document.querySelector('#rows [data-source=Z09]').textContent.includes('已到场核实')"))
        let csv = try await browser.run("return fetch('/history.csv').then(r => r.text())") as? String ?? ""
        // fetch's text() drops the BOM (the route test checks its bytes).
        #expect(csv.hasPrefix("id,source") || csv.hasPrefix("\u{FEFF}id,source"))
        #expect(csv.contains("张三: 已到场核实，门已锁好"))
        await browser.quit()
        await room.stop()
    }

    @Test("a flood of 30 zones in one poll step (one stream message) shows every row, in order, without a reload; their return in one step updates every row",
          .enabled(if: BoardBrowser.missing == nil))
    func floodInOneMessage() async throws {
        let site = try BoardSite("flood", extraZones: 30)
        let room = try await BoardDaemon.start(site)
        let browser = try await BoardBrowser(board: site.board, profile: site.dir.appendingPathComponent("chrome-flood"))
        defer { Task { await browser.quit(); await room.stop() } }
        try await browser.logIn("zhang", "right-horse")
        try await room.set("di-1.di[3]", true, site: site)
        #expect(try await browser.until("\(Self.rows).length === 1"))
        try await browser.run("window.__notReloaded = true")
        _ = try await simulatorCommand("fill d2.di true", socket: site.simSocket)
        #expect(try await browser.until("\(Self.rows).length === 31"))
        let order = try await browser.run("\(Self.rows).map(e => e.dataset.priority)") as? [String]
        #expect(order == Array(repeating: "high", count: 30) + ["low"], "\(String(describing: order))")
        let sources = Set(try await browser.run("\(Self.rows).map(e => e.dataset.source)") as? [String] ?? [])
        #expect(sources == Set((0..<30).map { "M\($0)" } + ["Z11"]))
        #expect(try await browser.until("return document.body.dataset.sound === 'playing'"))
        _ = try await simulatorCommand("fill d2.di false", socket: site.simSocket)
        #expect(try await browser.until("\(Self.rows).filter(e => e.dataset.source.startsWith('M')).every(e => e.dataset.state === 'returned-unacknowledged')"))
        #expect(try await browser.run("\(Self.rows).length") as? Int == 31)
        #expect(try await browser.run("return window.__notReloaded === true") as? Bool == true)
        await browser.quit()
        await room.stop()
    }

    @Test("the board recovers by itself after the daemon restarts: same session, a trip during the outage shows up",
          .enabled(if: BoardBrowser.missing == nil))
    func reconnects() async throws {
        let site = try BoardSite("restart")
        let room = try await BoardDaemon.start(site)
        let browser = try await BoardBrowser(board: site.board, profile: site.dir.appendingPathComponent("chrome-re"))
        try await browser.logIn("zhang", "right-horse")
        try await room.set("di-1.di[1]", true, site: site)
        #expect(try await browser.until("\(Self.rows).length === 1"))
        try await browser.run("window.__notReloaded = true")
        await room.daemon.stopAndWait()
        #expect(try await browser.until("return !document.getElementById('offline').hidden"))
        try await room.set("di-1.di[4]", true, site: site)
        let again = try await BoardDaemon.startDaemon(site)
        #expect(try await browser.until("\(Self.rows).length === 2 && document.getElementById('offline').hidden", timeout: .seconds(20)))
        #expect(try await browser.run("return window.__notReloaded === true") as? Bool == true)
        await browser.quit()
        await again.stopAndWait()
        await room.sim.stopAndWait()
    }
}
