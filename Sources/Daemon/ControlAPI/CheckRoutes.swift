import Access
import Alarms
import Control
import Foundation
import Hummingbird
import Journal
import SiteConfig

/// The zone self-test and the morning equipment check: starting them (answered once committed)
/// and the day's reports.
struct CheckRoutes: Sendable {
    let alarms: AlarmService
    let replies: CommandReplies
    let callers: Callers
    var now: @Sendable () -> Date = { Date() }

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        routes.post("self-test") { request, context in
            let body = try await OperatorCommandRoutes.body(request)
            if callers.users.trustMode, body.user?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
                return error(.badRequest, "a self-test needs the user who runs it", "invalid")
            }
            let actor = try await callers.actor(context, typed: body.user, for: .selfTest)
            return try await replies.reply { try await alarms.startSelfTest(zones: body.zones ?? [], user: actor.recordedName, by: actor) }
        }
        routes.get("self-test") { _, _ in
            guard let run = await alarms.selfTestRun else { return error(.notFound, "no self-test has run since the daemon started", "not-found") }
            return try json(run)
        }
        routes.get("self-test/report") { request, _ in
            try await report(kinds: ["self-test-started", "self-test-result", "self-test-finished"], date: request.uri.queryParameters.get("date"))
        }
        routes.post("check/equipment") { request, context in
            let body = try await OperatorCommandRoutes.body(request)
            let actor = try await callers.actor(context, typed: body.user, for: .equipmentCheck, typedRequired: false)
            let user = actor.isTrusted ? (body.user ?? "scheduled") : actor.recordedName
            return try await replies.reply { try await alarms.equipmentCheck(user: user, by: actor.isTrusted && body.user == nil ? nil : actor) }
        }
        routes.get("check/equipment/report") { request, _ in
            try await report(kinds: ["equipment-check"], date: request.uri.queryParameters.get("date"))
        }
        return routes
    }

    /// Events of a site-local day (today when `date` is nil); 400 when `date` is not YYYY-MM-DD.
    func report(kinds: [String], date: String?) async throws -> Response {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: alarms.config.timezone) ?? .gmt
        var day = calendar.startOfDay(for: now())
        if let date {
            let f = DateFormatter()
            f.calendar = calendar
            f.timeZone = calendar.timeZone
            f.dateFormat = "yyyy-MM-dd"
            guard let d = f.date(from: date) else { return error(.badRequest, "date '\(date)' is not YYYY-MM-DD", "invalid") }
            day = d
        }
        let to = calendar.date(byAdding: .day, value: 1, to: day)!
        return try json(try await alarms.journal.reading { [day] in try $0.events(kinds: kinds, from: day, to: to) })
    }
}
