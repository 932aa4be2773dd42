import Foundation

/// Headless Chromium driven over the W3C WebDriver protocol (JSON over HTTP to a chromedriver of
/// the test's own, on its own port, with its own profile folder): parallel-safe.
final class BoardBrowser: Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    /// Why browser tests cannot run here, nil when they can.
    static var missing: String? {
        for path in [chromium, chromedriver] where !FileManager.default.isExecutableFile(atPath: path) {
            return "\(path) is not installed (make test-deps installs chromium and chromium-driver): board browser tests skipped"
        }
        return nil
    }

    let driver: ChildProcess
    let port: Int
    let session: String

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A new browser; `base` is the board's address.
    init(board: String, profile: URL) async throws {
        let port = try freePort()
        driver = try ChildProcess(Self.chromedriver, ["--port=\(port)"])
        self.port = port
        _ = await driver.waitForLine { $0.contains("started successfully") }
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": Self.chromium, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)",
                "--window-size=1600,1000", "--autoplay-policy=no-user-gesture-required", "--lang=zh-CN"]],
        ] as [String: Any]]]
        var answer: [String: Any] = [:]
        for attempt in 0..<50 {
            do { answer = try await Self.call(port, "POST", "/session", caps) as? [String: Any] ?? [:]; break } catch {
                if attempt == 49 { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let id = answer["sessionId"] as? String else { throw Failure(description: "chromedriver gave no session: \(answer)") }
        session = id
        self.board = board
    }
    let board: String

    static func call(_ port: Int, _ method: String, _ path: String, _ body: Any? = nil) async throws -> Any? {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let reply = try await PlainHTTP.send(port: port, method, path, body: data, headers: data == nil ? [:] : ["Content-Type": "application/json"])
        let json = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
        if let value = json?["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "WebDriver \(method) \(path): \(error): \(value["message"] ?? "")")
        }
        return json?["value"]
    }

    @discardableResult
    func command(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any? {
        try await Self.call(port, method, "/session/\(session)\(path)", body ?? (method == "POST" ? [String: Any]() : nil))
    }

    func open(_ path: String) async throws { try await command("POST", "/url", ["url": board + path]) }

    /// Runs `script` (a function body; `arguments` are its arguments) in the page.
    @discardableResult
    func run(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await command("POST", "/execute/sync", ["script": script, "args": arguments])
    }

    /// Waits for `script` to return true, up to `timeout`; false when it never did.
    func until(_ script: String, timeout: Duration = .seconds(10)) async throws -> Bool {
        let clock = ContinuousClock(), end = clock.now + timeout
        while clock.now < end {
            if (try? await run(script)) as? Bool == true { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func text(_ script: String) async throws -> String { (try await run(script) as? String) ?? "" }

    /// Fills the login form and submits it with a click, as an operator would.
    func logIn(_ user: String, _ password: String) async throws {
        try await open("/login")
        for (name, value) in [("username", user), ("password", password)] {
            let found = try await command("POST", "/element", ["using": "css selector", "value": "input[name=\(name)]"]) as? [String: Any]
            guard let element = found?.values.first as? String else { throw Failure(description: "no \(name) field on /login") }
            try await command("POST", "/element/\(element)/value", ["text": value])
        }
        let button = try await command("POST", "/element", ["using": "css selector", "value": "button[type=submit]"]) as? [String: Any]
        guard let element = button?.values.first as? String else { throw Failure(description: "no login button") }
        try await command("POST", "/element/\(element)/click")
        _ = try await until("return document.readyState === 'complete'", timeout: .seconds(5))
    }

    /// Clicks the first element matching `css`.
    func click(_ css: String) async throws {
        let found = try await command("POST", "/element", ["using": "css selector", "value": css]) as? [String: Any]
        guard let element = found?.values.first as? String else { throw Failure(description: "nothing matches \(css)") }
        try await command("POST", "/element/\(element)/click")
    }

    func screenshot(to file: String) async throws {
        guard let b64 = try await command("GET", "/screenshot") as? String, let data = Data(base64Encoded: b64) else {
            throw Failure(description: "no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: file))
    }

    func quit() async {
        _ = try? await Self.call(port, "DELETE", "/session/\(session)")
        await driver.stopAndWait()
    }
}
