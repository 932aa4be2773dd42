import Synchronization
import SiteConfig

/// How one generation of the running daemon (one config, one service group) ends, told by the
/// part that decides it (`ProcessSignals`) to the parts that act on it: `SystemdHousekeeping`
/// feeds the watchdog unconditionally from then on, and `RunMode` starts the next generation on a
/// reload or returns on a stop.
final class GenerationEnd: Sendable {
    enum Reason: Sendable {
        /// SIGTERM or SIGINT (or the group stopping for another reason): the process ends.
        case stop
        /// SIGHUP with a config that passed every check: the next generation runs it.
        case reload(SiteConfig)
    }

    private let decided = Mutex<Reason?>(nil)

    /// The first decision counts: a stop after a reload was decided is the run mode's to see.
    func end(_ reason: Reason) { decided.withLock { if $0 == nil { $0 = reason } } }

    var reason: Reason? { decided.withLock { $0 } }

    /// True once the generation is ending, for whatever reason.
    var isEnding: Bool { reason != nil }
}
