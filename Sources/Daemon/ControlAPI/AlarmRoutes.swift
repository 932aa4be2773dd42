import Alarms
import Hummingbird
import Journal

/// Reading alarms and the journal's events: open alarms (or the history) paged, one alarm with
/// its events, events after a sequence number.
struct AlarmRoutes: Sendable {
    let alarms: AlarmService

    struct AlarmDetail: Codable { let alarm: Alarm; let events: [AlarmEvent] }

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        let journal = alarms.journal
        routes.get("alarms") { request, _ in
            if request.uri.queryParameters.get("all") == "true" {
                let limit = try Page.limit(request, default: 500)
                let before: Int? = try Page.cursor(request, "before")
                return try json(try await journal.reading { try $0.alarms(before: before, limit: limit) })
            }
            let limit = try Page.limit(request, default: Page.maximum)
            let after: Int = try Page.cursor(request, "after") ?? 0
            return try json(Array(await alarms.openAlarms.filter { $0.id > after }.sorted { $0.id < $1.id }.prefix(limit)))
        }
        routes.get("alarms/:id") { _, context in
            guard let id = context.parameters.get("id").flatMap(Int.init) else { return error(.badRequest, "alarm id must be a number", "invalid") }
            // The first page of its events; the rest via /v1/events?alarm=ID&after=SEQ.
            let history = try await journal.reading { try $0.events(alarm: id, limit: Page.maximum) }
            if let open = await alarms.openAlarms.first(where: { $0.id == id }) {
                return try json(AlarmDetail(alarm: open, events: history))
            }
            guard let stored = try await journal.reading({ try $0.alarm(id) }) else { return error(.notFound, "no alarm \(id)", "not-found") }
            return try json(AlarmDetail(alarm: stored, events: history))
        }
        routes.get("events") { request, _ in
            let after: Int64 = try Page.cursor(request, "after") ?? 0
            let alarm: Int? = try Page.cursor(request, "alarm")
            let limit = try Page.limit(request, default: Page.maximum)
            return try json(try await journal.reading { try $0.events(after: after, alarm: alarm, limit: limit) })
        }
        return routes
    }
}
