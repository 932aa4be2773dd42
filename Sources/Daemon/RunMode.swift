import Foundation
public import Logging
public import SiteConfig

/// `watchroomd run`: poll the site until SIGINT or SIGTERM.
public enum RunMode {
    public static func run(config: SiteConfig, logger: Logger) async -> Int32 {
        let daemon: WatchroomDaemon
        do { daemon = try WatchroomDaemon(config: config, logger: logger) } catch {
            logger.critical("\(error)")
            return 1
        }
        let main = Task { await daemon.run() }
        let sig = await Signals.next(of: [SIGINT, SIGTERM])
        logger.notice("signal \(sig): stopping")
        main.cancel()
        await main.value
        return 0
    }
}
