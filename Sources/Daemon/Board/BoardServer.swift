import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SiteConfig

/// The board over HTTP on `board.listen`, one part of the daemon's service group. Its event
/// streams end when the group stops (the event bus finishes), so stopping never waits on a browser.
struct BoardServer: Service {
    let settings: BoardSettings
    let routes: BoardRoutes
    let logger: Logger
    /// Called with the bound port once listening (tests ask for port 0).
    var onListening: @Sendable (Int) -> Void = { _ in }

    func run() async {
        let app = Application(
            router: routes.makeRouter(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "watchroomd"),
            onServerRunning: { [logger, settings, onListening] channel in
                let port = channel.localAddress?.port ?? settings.port
                logger.notice("board on http://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(port)/")
                onListening(port)
            },
            logger: Logger(label: "board")
        )
        do {
            try await withGracefulShutdownHandler {
                try await app.run()
            } onGracefulShutdown: { [bus = routes.alarms.bus] in
                // An event stream never ends by itself: the server would wait on it.
                bus.finish()
            }
        } catch is CancellationError {} catch {
            // A board that cannot listen (port taken) is logged; alarms keep running without it.
            logger.critical("board stopped: \(error) (board.listen \(settings.listen))")
            try? await gracefulShutdown()
        }
    }
}

extension BoardServer {
    /// The daemon's board: accounts from the config's users, sessions kept in the state folder.
    static func make(_ settings: BoardSettings, config: SiteConfig, alarms: AlarmService, duty: DutyService, writes: any PointWriteQueue,
                     logger: Logger, now: @escaping @Sendable () -> Date) -> BoardServer {
        let sessions = BoardSessions(file: URL(fileURLWithPath: config.stateDir).appendingPathComponent("board-sessions.json").path)
        let routes = BoardRoutes(alarms: alarms, duty: duty, writes: writes, accounts: BoardAccounts.site(config, logger: logger),
                                 sessions: sessions, logger: logger, now: now)
        return BoardServer(settings: settings, routes: routes, logger: logger)
    }
}
