import Foundation

/// Repeated wrong passwords for one login: after `freeAttempts` each further try waits longer
/// (1 s, 2 s, 4 s, ... at most `maxDelay`), and at `lockAfter` failures the login is locked for
/// `lockFor`. A right password clears the count. Pure: the board asks it and applies the answer.
struct LoginThrottle: Sendable {
    var freeAttempts = 3
    var lockAfter = 6
    var maxDelay: TimeInterval = 8
    var lockFor: TimeInterval = 300

    private struct Record: Sendable { var failures = 0; var lockedUntil: Date? }
    private var records: [String: Record] = [:]

    enum Verdict: Sendable, Equatable {
        /// Check the password after waiting this long.
        case allowed(delay: TimeInterval)
        case locked(until: Date)
    }

    /// What to do with a login attempt for `login` at `now`.
    func verdict(for login: String, now: Date) -> Verdict {
        guard let r = records[login] else { return .allowed(delay: 0) }
        if let until = r.lockedUntil, until > now { return .locked(until: until) }
        if r.lockedUntil != nil { return .allowed(delay: 0) }
        let over = r.failures - freeAttempts
        return .allowed(delay: over < 0 ? 0 : min(maxDelay, pow(2, Double(over))))
    }

    /// Counts a wrong password; returns the lock's end when this failure locked the login.
    mutating func failed(_ login: String, now: Date) -> Date? {
        var r = records[login] ?? Record()
        if let until = r.lockedUntil, until <= now { r = Record() }
        r.failures += 1
        var locked: Date?
        if r.failures >= lockAfter, r.lockedUntil == nil {
            r.lockedUntil = now.addingTimeInterval(lockFor)
            locked = r.lockedUntil
        }
        records[login] = r
        return locked
    }

    mutating func succeeded(_ login: String) { records[login] = nil }
}
