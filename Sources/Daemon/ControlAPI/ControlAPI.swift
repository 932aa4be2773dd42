import Access
import Foundation
import Hummingbird
import SiteConfig

/// The operators' HTTP/JSON API (docs/CONTROL-API.md) as route collections, one per concept,
/// each built from only what it calls: the server and the in-process tests build the same router.
struct ControlAPI: Sendable {
    let alarms: AlarmService
    let duty: DutyService
    let buses: any BusStatsSource
    let writes: any PointWriteQueue
    /// The uplink whose state `status` shows; nil without one.
    var uplink: UplinkService? = nil
    /// Wall time, for status, report days and re-queue times.
    var now: @Sendable () -> Date = { Date() }
    /// The caller's credentials on a connection: SO_PEERCRED (in-process tests give their own).
    var peer: @Sendable (ControlContext) async -> PeerCredentials? = { await PeerCredentials.of($0.channel) }
    /// uid to account name: getpwuid_r (in-process tests give their own).
    var accountName: @Sendable (UInt32) -> String = { PeerCredentials.accountName(uid: $0) }

    /// Every route under `/v1`, behind the middleware that gives every error the `{error, code}` shape.
    func makeRouter() -> Router<ControlContext> {
        let router = Router(context: ControlContext.self)
        // First: middleware applies only to the routes added after it (and to unknown routes).
        router.add(middleware: SiteTimezoneHeader(timezone: alarms.config.timezone))
        router.add(middleware: ErrorShapeMiddleware())
        let replies = CommandReplies(alarms: alarms, writes: writes)
        let alarms = alarms, now = now
        let callers = Callers(users: SiteUsers(alarms.config), peer: peer, accountName: accountName)
        router.add(middleware: SiteUserGate(callers: callers))
        router.addRoutes(StatusRoutes(alarms: alarms, buses: buses, now: now, uplink: uplink).collection, atPath: "/v1")
        router.addRoutes(AlarmRoutes(alarms: alarms).collection, atPath: "/v1")
        router.addRoutes(WatchRoutes(events: alarms.bus, journal: alarms.journal, config: alarms.config).collection, atPath: "/v1")
        router.addRoutes(OperatorCommandRoutes(replies: replies, callers: callers).collection, atPath: "/v1")
        router.addRoutes(CheckRoutes(alarms: alarms, replies: replies, callers: callers, now: now).collection, atPath: "/v1")
        router.addRoutes(NotificationRoutes(journal: alarms.journal, nudge: { await alarms.nudgeDelivery() }, callers: callers, now: now).collection, atPath: "/v1")
        router.addRoutes(DutyRoutes(duty: duty, alarms: alarms, callers: callers).collection, atPath: "/v1")
        router.addRoutes(WhoamiRoutes(callers: callers).collection, atPath: "/v1")
        return router
    }
}
