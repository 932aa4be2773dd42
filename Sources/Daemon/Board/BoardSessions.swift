import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The board's logged-in sessions: random ids (the cookie), each with its account, its CSRF
/// token and its expiry. Kept in a file of the state folder (0600) so a daemon restart does not
/// log the wall display out.
final class BoardSessions: Sendable {
    struct Session: Sendable, Codable, Hashable {
        let id: String
        let account: BoardAccount
        /// Sent back by the page with every state-changing request (header `X-CSRF-Token`).
        let csrf: String
        let expires: Date
    }

    let lifetime: TimeInterval
    private let file: String?
    private let sessions: Mutex<[String: Session]>

    init(file: String?, lifetime: TimeInterval = 12 * 3600) {
        self.file = file
        self.lifetime = lifetime
        var stored: [String: Session] = [:]
        if let file, let data = FileManager.default.contents(atPath: file),
           let list = try? JSONDecoder().decode([Session].self, from: data) {
            for s in list { stored[s.id] = s }
        }
        sessions = Mutex(stored)
    }

    /// A new session for `account`, valid for `lifetime` from `now`.
    func open(_ account: BoardAccount, now: Date) -> Session {
        let s = Session(id: Self.randomToken(), account: account, csrf: Self.randomToken(), expires: now.addingTimeInterval(lifetime))
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }
            all[s.id] = s
        }
        save()
        return s
    }

    /// The live session with this id, nil when unknown or expired.
    func session(_ id: String?, now: Date) -> Session? {
        guard let id else { return nil }
        return sessions.withLock { all in
            guard let s = all[id], s.expires > now else { return nil }
            return s
        }
    }

    func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
        save()
    }

    private func save() {
        guard let file else { return }
        let list = sessions.withLock { Array($0.values) }
        guard let data = try? JSONEncoder().encode(list) else { return }
        let tmp = file + ".tmp"
        _ = FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: 0o600])
        // rename(2): atomic, and works when there is no file yet (FileManager.replaceItemAt does not).
        _ = rename(tmp, file)
    }

    /// 32 random bytes as hex (the system's CSPRNG).
    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}
