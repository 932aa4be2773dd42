public import Foundation
import GRDB

/// The journal cannot be written (disk full, read-only, an I/O error): what an operator is told
/// when a command is refused, what STATUS= and `watchroomctl status` show, and the detail of the
/// `journal` system alarm.
public struct JournalWriteFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in the operator's words: "disk full on /var/lib/watchroom".
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "the journal cannot be written: \(reason)" }

    /// Reads a failed write as a journal failure, or nil when the error is something else
    /// (a refused command, a constraint in our own SQL) that says nothing about the disk.
    public static func classify(_ error: any Error, journalPath: String) -> JournalWriteFailure? {
        if let known = error as? JournalWriteFailure { return known }
        guard let db = error as? DatabaseError else { return nil }
        let place = mountPoint(of: (journalPath as NSString).deletingLastPathComponent)
        switch db.resultCode {
        case .SQLITE_FULL: return JournalWriteFailure(reason: "disk full on \(place)")
        case .SQLITE_READONLY: return JournalWriteFailure(reason: "\(journalPath) is read-only")
        case .SQLITE_IOERR: return JournalWriteFailure(reason: "I/O error writing \(journalPath) (\(db.message ?? "disk error"))")
        case .SQLITE_CANTOPEN: return JournalWriteFailure(reason: "cannot open \(journalPath) (\(db.message ?? "missing or not permitted"))")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return JournalWriteFailure(reason: "\(journalPath) is damaged (\(db.message ?? "corrupt"))")
        case .SQLITE_BUSY, .SQLITE_LOCKED: return JournalWriteFailure(reason: "\(journalPath) is locked by another process")
        case .SQLITE_PERM, .SQLITE_AUTH: return JournalWriteFailure(reason: "writing \(journalPath) is not permitted")
        default: return nil
        }
    }

    /// The mount point holding `directory` (where the space ran out), or the directory itself.
    static func mountPoint(of directory: String) -> String {
        var st = stat()
        guard stat(directory, &st) == 0 else { return directory }
        var path = (directory as NSString).standardizingPath
        while path != "/" {
            let parent = (path as NSString).deletingLastPathComponent
            var ps = stat()
            guard stat(parent, &ps) == 0, ps.st_dev == st.st_dev else { return path }
            path = parent
        }
        return "/"
    }
}

extension Journal {
    /// Test seam: while `failing`, every write fails as on a read-only file (SQLITE_READONLY),
    /// exactly where a full disk would fail it; reads go on.
    func simulateWriteFailure(_ failing: Bool) throws {
        try db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = \(failing ? 1 : 0)") }
    }
}
