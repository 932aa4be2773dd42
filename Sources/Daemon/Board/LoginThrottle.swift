import Foundation

/// Repeated wrong passwords for one login: after `freeAttempts` each further try waits longer
/// (1 s, 2 s, 4 s, ... at most `maxDelay`), and at `lockAfter` failures the login is locked for
/// `lockFor`. A right password clears the count. Pure: the board asks it and applies the answer.
///
/// The logins are typed by whoever reaches the page, so what it keeps is bounded: a login is kept
/// by its first `keyLength` characters, and at most `maxRecords` of them; when full, expired locks
/// and quiet counts go first, then the oldest (a locked login is never dropped before an unlocked one).
struct LoginThrottle: Sendable {
    var freeAttempts = 3
    var lockAfter = 6
    var maxDelay: TimeInterval = 8
    var lockFor: TimeInterval = 300
    var maxRecords = 4096
    static let keyLength = 64

    private struct Record: Sendable { var failures = 0; var lockedUntil: Date?; var last = Date.distantPast }
    private var records: [String: Record] = [:]

    /// The logins it keeps a count or a lock for.
    var count: Int { records.count }

    private static func key(_ login: String) -> String { String(login.prefix(keyLength)) }

    enum Verdict: Sendable, Equatable {
        /// Check the password after waiting this long.
        case allowed(delay: TimeInterval)
        case locked(until: Date)
    }

    /// What to do with a login attempt for `login` at `now`.
    func verdict(for login: String, now: Date) -> Verdict {
        guard let r = records[Self.key(login)] else { return .allowed(delay: 0) }
        if let until = r.lockedUntil, until > now { return .locked(until: until) }
        if r.lockedUntil != nil { return .allowed(delay: 0) }
        let over = r.failures - freeAttempts
        return .allowed(delay: over < 0 ? 0 : min(maxDelay, pow(2, Double(over))))
    }

    /// Counts a wrong password; returns the lock's end when this failure locked the login.
    mutating func failed(_ login: String, now: Date) -> Date? {
        let login = Self.key(login)
        if records[login] == nil, records.count >= maxRecords { makeRoom(now: now) }
        var r = records[login] ?? Record()
        if let until = r.lockedUntil, until <= now { r = Record() }
        r.failures += 1
        r.last = now
        var locked: Date?
        if r.failures >= lockAfter, r.lockedUntil == nil {
            r.lockedUntil = now.addingTimeInterval(lockFor)
            locked = r.lockedUntil
        }
        records[login] = r
        return locked
    }

    mutating func succeeded(_ login: String) { records[Self.key(login)] = nil }

    /// Drops what no longer holds anyone back, then, if still full, the oldest unlocked (or, when
    /// every record is a live lock, the one that ends first).
    private mutating func makeRoom(now: Date) {
        records = records.filter { _, r in
            if let until = r.lockedUntil { return until > now }
            return now.timeIntervalSince(r.last) < lockFor
        }
        guard records.count >= maxRecords else { return }
        let victim = records.min { a, b in
            switch (a.value.lockedUntil, b.value.lockedUntil) {
            case (nil, nil): return a.value.last < b.value.last
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x < y
            }
        }
        if let victim { records[victim.key] = nil }
    }
}
