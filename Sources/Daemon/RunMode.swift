import Foundation
public import Logging
public import SiteConfig

/// `watchroomd run`: poll the site until SIGINT or SIGTERM.
public enum RunMode {
    public static func run(config: SiteConfig, logger: Logger) async -> Int32 {
        let monitor = Monitor(config: config, logger: logger)
        let polling = Task { await monitor.run() }
        let sig = await Signals.next(of: [SIGINT, SIGTERM])
        logger.notice("signal \(sig): stopping")
        polling.cancel()
        await polling.value
        return 0
    }
}
