import Foundation
import Hummingbird

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

    /// Every route under `/v1`, behind the middleware that gives every error the `{error, code}` shape.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        // First: middleware applies only to the routes added after it (and to unknown routes).
        router.add(middleware: ErrorShapeMiddleware())
        let replies = CommandReplies(alarms: alarms, writes: writes)
        let alarms = alarms, now = now
        router.addRoutes(StatusRoutes(alarms: alarms, buses: buses, now: now, uplink: uplink).collection, atPath: "/v1")
        router.addRoutes(AlarmRoutes(alarms: alarms).collection, atPath: "/v1")
        router.addRoutes(WatchRoutes(events: alarms.bus).collection, atPath: "/v1")
        router.addRoutes(OperatorCommandRoutes(replies: replies).collection, atPath: "/v1")
        router.addRoutes(CheckRoutes(alarms: alarms, replies: replies, now: now).collection, atPath: "/v1")
        router.addRoutes(NotificationRoutes(journal: alarms.journal, nudge: { await alarms.nudgeDelivery() }, now: now).collection, atPath: "/v1")
        router.addRoutes(DutyRoutes(duty: duty, alarms: alarms).collection, atPath: "/v1")
        return router
    }
}
