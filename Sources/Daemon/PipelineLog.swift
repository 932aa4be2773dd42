import Alarms
import Logging
import Notify
import SiteConfig

/// The alarm service's log lines, rendered and written in order on a task of their own: a step
/// hands over its changes and events and goes on, so thousands of lines (an alarm storm) never
/// hold the actor that answers `watchroomctl status`. Folding a storm is decided by the service
/// (`StormLog`); this only writes what it is told.
final class PipelineLog: Sendable {
    enum Entry: Sendable {
        case changes([StateChange], folded: Bool)
        case events([AlarmEvent], held: Bool, folded: Bool)
        case storm(StormLog.Outcome)
        case flushed(CheckedContinuation<Void, Never>)
    }

    private let input: AsyncStream<Entry>.Continuation

    init(logger: Logger, site: SiteConfig, planner: NotificationPlanner) {
        let (entries, input) = AsyncStream.makeStream(of: Entry.self)
        self.input = input
        Task.detached {
            for await entry in entries { Self.write(entry, logger: logger, site: site, planner: planner) }
        }
    }

    deinit { input.finish() }

    func send(_ entry: Entry) { input.yield(entry) }

    /// Returns once every line handed over before it is written (shutdown, tests).
    func flushed() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            if case .terminated = input.yield(.flushed(c)) { c.resume() }
        }
    }

    private static func write(_ entry: Entry, logger: Logger, site: SiteConfig, planner: NotificationPlanner) {
        switch entry {
        case .changes(let changes, let folded):
            for change in changes where !(folded && StormLog.isFolded(change)) {
                if let (level, text) = ChangeLog.entry(change, site: site) { logger.log(level: level, "\(text)") }
            }
        case .events(let events, let held, let folded):
            let shown = folded ? events.filter { !StormLog.isFolded($0) } : events
            for e in shown {
                logger.log(level: .notice, "\(EventText.line(e, site: site))\(held ? " (held in memory: the journal cannot be written)" : "")")
            }
            // The log target, always on (see `NotificationLog`).
            for line in NotificationLog.lines(shown, planner: planner) { logger.log(level: line.level, "\(line.text)") }
        case .storm(let outcome):
            let text = StormLog.text(outcome)
            switch outcome {
            case .opened(let s):
                logger.log(level: s.level, "\(text)")
                let line = NotificationLog.storm(StormLog.headline(s), level: s.level, planner: planner, at: s.first)
                logger.log(level: line.level, "\(line.text)")
            case .closed(let s):
                logger.log(level: s.level, "\(text)")
            }
        case .flushed(let c):
            c.resume()
        }
    }
}
