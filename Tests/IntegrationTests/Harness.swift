import Foundation
import Simulator
import Synchronization
import Testing

/// Where the package lives, and its built executables.
enum Paths {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static var devices: String { root.appendingPathComponent("devices").path }

    /// The built `watchroomd`: next to the test bundle, or under .build/debug.
    static var watchroomd: String {
        if let env = ProcessInfo.processInfo.environment["WATCHROOMD_BIN"] { return env }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            root.appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent("watchroomd").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    /// The built `watchroomctl`, beside `watchroomd`.
    static var watchroomctl: String {
        URL(fileURLWithPath: watchroomd).deletingLastPathComponent().appendingPathComponent("watchroomctl").path
    }

    static func tempDir(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Ports `freePort()` has handed out in this test process.
private let handedOut = Mutex<Set<Int>>([])

/// A free TCP port on loopback (bound, read back, released), never one handed out before in this
/// process: the kernel may offer a just-released port again while the test that got it first has
/// not bound it yet (its simulator is still starting), and parallel tests would then share it.
func freePort() throws -> Int {
    while true {
        let port = try boundAndReleased()
        if handedOut.withLock({ $0.insert(port).inserted }) { return port }
    }
}

private func boundAndReleased() throws -> Int {
    let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard s >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(s) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
    guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE) }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A child process whose output lines are collected for the test to wait on.
final class ChildProcess: Sendable {
    let process: Process
    private let lines = LineBuffer()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
         stderrPipe: Pipe = Pipe()) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "JOURNAL_STREAM")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardOutput = stderrPipe
        p.standardError = stderrPipe
        process = p
        let handle = stderrPipe.fileHandleForReading
        let collected = lines
        let reader = Thread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    collected.append(line)
                }
            }
        }
        try p.run()
        reader.start()
    }

    var output: [String] { lines.all }

    /// Waits until a line satisfies `match`; returns it, or nil after `timeout`.
    @discardableResult
    func waitForLine(timeout: Duration = .seconds(10), _ match: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.first(where: match) { return line }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func count(_ match: (String) -> Bool) -> Int { output.filter(match).count }

    /// Waiting for the exit from a test blocked a thread of the concurrency pool (see `blocking`).
    @available(*, unavailable, message: "use `await stopAndWait()`, or `stopInBackground()` in a defer")
    func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(3)) {}

    /// Sends `signal` and leaves the reaping (SIGKILL after `grace`) to a thread of its own, so it
    /// returns at once: for `defer`, which cannot await. A test that needs the process gone (to
    /// restart on its state, or to read what it logged on its way out) uses `stopAndWait`.
    func stopInBackground(signal: Int32 = SIGTERM, grace: Duration = .seconds(3)) {
        let p = process
        Thread { Self.reap(p, signal: signal, grace: grace) }.start()
    }

    /// Sends `signal` and returns once the process has exited (killed after `grace`): for a test
    /// that restarts the daemon on the same state, or reads what it logged on its way out.
    func stopAndWait(signal: Int32 = SIGTERM, grace: Duration = .seconds(3)) async {
        let p = process
        _ = try? await blocking { Self.reap(p, signal: signal, grace: grace) }
    }

    /// Waits until the process exits by itself; false after `timeout`.
    func waitForExit(timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    private static func reap(_ process: Process, signal: Int32, grace: Duration) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { usleep(20_000) }
    }
}

/// Sends a command line to a simulator's control socket, retrying while it starts.
func simulatorCommand(_ line: String, socket: String) async throws -> String {
    var lastError: (any Error)?
    for _ in 0..<100 {
        do { return try await blocking { try LineSocketServer.send(line, to: socket) } } catch {
            lastError = error
            try await Task.sleep(for: .milliseconds(50))
        }
    }
    throw lastError!
}

/// Requests a simulated device has received so far.
func requestsReceived(_ device: String, socket: String) async throws -> Int {
    let reply = try await simulatorCommand("stats \(device)", socket: socket)
    return Int(reply.replacingOccurrences(of: "requests=", with: "")) ?? -1
}

final class LineBuffer: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Waits until the simulator has served `device` at least `n` requests: the daemon's first scan
/// (the untouched, normal state) is then in, so a trip after this is seen as "normal -> alarm".
func waitForPolls(_ device: String, socket: String, atLeast n: Int = 2, timeout: Duration = .seconds(10)) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await requestsReceived(device, socket: socket) >= n { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}
