import CDispatch
import Foundation
public import Logging
import SiteConfig
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler for a terminal and for journald.
///
/// Under systemd (stderr is the stream JOURNAL_STREAM names) each line starts with the `<N>`
/// syslog priority so journald files it at the right level and adds its own timestamp; on a
/// terminal the line carries the site's time (not the host's: a cloud host runs in UTC while the
/// leader's message and the handover say site time) and a level word instead.
public struct ConsoleLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let journald: Bool

    public init(label: String, journald: Bool = ConsoleLogHandler.stderrIsJournal()) {
        self.label = label
        self.journald = journald
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        ConsoleWriter.shared.write(Self.line(level: event.level, message: event.message.description, metadata: merged,
                                             journald: journald, timestamp: journald ? "" : Self.timestamp()))
    }

    /// The site's clock for the terminal timestamp; the host's zone until a config names the site's.
    private static let siteClock = Mutex<SiteClock>(SiteClock(zone: .current))

    /// Stamps terminal lines in the site's `timezone` from now on (at start and on each reload).
    public static func useSiteTime(_ timezone: String) {
        let clock = SiteClock.named(timezone)
        siteClock.withLock { $0 = clock }
    }

    /// The line written for one log event (without its newline).
    ///
    /// One event, one line: a newline or an escape sequence in an operator's text (a note, a user
    /// name) must neither forge a log line nor redraw the terminal reading the log, so control
    /// characters in the message and the metadata are escaped (`Printable.line`).
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, journald: Bool, timestamp: String) -> String {
        var text = message
        if !metadata.isEmpty {
            text += " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        text = Printable.line(text)
        return journald ? "<\(syslogPriority(level))>\(text)" : "\(timestamp) \(word(level)) \(text)"
    }

    /// syslog(3) priorities: crit 2, err 3, warning 4, notice 5, info 6, debug 7.
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    static func word(_ level: Logger.Level) -> String {
        switch level {
        case .critical: "CRIT "
        case .error: "ERROR"
        case .warning: "WARN "
        case .notice: "NOTE "
        case .info: "INFO "
        case .debug: "DEBUG"
        case .trace: "TRACE"
        }
    }

    /// "2026-11-22 19:00:05.123" in the site's time.
    static func timestamp(_ now: Date = Date()) -> String { siteClock.withLock { $0 }.logStamp(now) }

    /// True when stderr is the journal stream systemd set up (JOURNAL_STREAM is "device:inode").
    public static func stderrIsJournal() -> Bool {
        guard let value = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = Glibc.stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}

/// Writes whole lines to stderr, one `write(2)` each, so lines from several threads never interleave.
public final class ConsoleWriter: Sendable {
    public static let shared = ConsoleWriter()
    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        bytes.withUnsafeBufferPointer { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(2, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }
}
