import Control
import Foundation
import Synchronization

/// Runs blocking work (a child's exit, its pipes read to the end, a synchronous socket exchange or
/// journal read) on a thread of its own, not on the concurrency pool.
///
/// The pool has one thread per core, two on the project's machine. In a parallel run a test blocked
/// in `waitUntilExit` or `usleep` holds one of them; two such tests stall every other async test of
/// the process (delivery retries, wake-up timers and the tests' own polls then came 20 s late).
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        Thread { c.resume(with: Result { try work() }) }.start()
    }
}

/// What a finished child process printed, and how it ended.
struct ProcessOutcome: Sendable {
    /// The exit status; nil when the process was killed at its deadline.
    var status: Int32?
    var out: String
    var err: String
}

/// Runs `executable` to its exit off the concurrency pool, reading stdout and stderr to their ends;
/// with a `deadline`, the process is killed (SIGKILL) once it has run that long.
func runToExit(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
               currentDirectory: URL? = nil, deadline: Duration? = nil) async throws -> ProcessOutcome {
    try await blocking {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = environment }
        if let currentDirectory { p.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        if let deadline {
            let end = ContinuousClock.now + deadline
            Thread {
                while p.isRunning && ContinuousClock.now < end { usleep(20_000) }
                if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            }.start()
        }
        // stderr on its own thread: a child filling one pipe while we wait on the other would hang.
        let errData = Mutex(Data())
        let errRead = DispatchSemaphore(value: 0)
        Thread {
            let d = err.fileHandleForReading.readDataToEndOfFile()
            errData.withLock { $0 = d }
            errRead.signal()
        }.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        errRead.wait()
        p.waitUntilExit()
        let killed = deadline != nil && p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL
        return ProcessOutcome(status: killed ? nil : p.terminationStatus, out: String(decoding: o, as: UTF8.self),
                              err: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }
}

extension ControlClient {
    /// `request` off the concurrency pool: each exchange waits for the daemon's answer (often a
    /// journal commit with its fsync), and a loop of them held a pool thread for seconds.
    func exchange(_ method: String, _ path: String, body: Data? = nil) async throws -> Reply {
        try await blocking { try self.request(method, path, body: body) }
    }
}
