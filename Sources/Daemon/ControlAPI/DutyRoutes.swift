import Alarms
import Control
import Foundation
import Hummingbird
import Journal
import Records

/// The duty records: recordings (holds, retention status, playback requests), media, visitors,
/// repairs, the equipment log and the shift handover. A record is answered only once journaled.
struct DutyRoutes: Sendable {
    let duty: DutyService
    /// For the recorders' last retention checks and the journal's path (to name a write failure).
    let alarms: AlarmService

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("recordings/holds") { request, _ in
            try await answer { try await duty.holds(all: request.uri.queryParameters.get("all") == "true") }
        }
        routes.get("recordings/status") { _, _ in
            try await answer { await alarms.retention.values.sorted { $0.recorder < $1.recorder } }
        }
        routes.get("recordings/requests") { _, _ in try await answer { try await duty.playbackLog() } }
        routes.post("recordings/requests") { request, _ in
            let b = try await Self.body(request)
            return try await answer {
                let from = try duty.time(b.fromTime, "--from"), to = try duty.time(b.toTime, "--to")
                return try await duty.requestPlayback(recorder: b.recorder ?? "", camera: b.camera, from: from, to: to, by: b.by, reason: b.reason)
            }
        }
        routes.post("recordings/requests/:id/approve") { request, context in
            let b = try await Self.body(request)
            return try await answer { try await duty.approvePlayback(try Self.id(context, "playback request"), by: b.by) }
        }
        routes.post("recordings/requests/:id/view") { request, context in
            let b = try await Self.body(request)
            return try await answer { try await duty.viewPlayback(try Self.id(context, "playback request"), by: b.by) }
        }
        routes.get("media") { _, _ in try await answer { try await duty.mediaStatus() } }
        routes.post("media/load") { request, _ in
            let b = try await Self.body(request)
            return try await answer { try await duty.loadMedium(recorder: b.recorder ?? "", medium: b.medium, user: b.user) }
        }
        routes.get("visitors") { request, _ in
            try await answer { try await duty.visitors(all: request.uri.queryParameters.get("all") == "true") }
        }
        routes.post("visitors") { request, _ in
            let b = try await Self.body(request)
            return try await answer { try await duty.visitorIn(name: b.name, org: b.org, purpose: b.purpose, approvedBy: b.approvedBy, user: b.user) }
        }
        routes.post("visitors/:id/out") { request, context in
            let b = try await Self.body(request)
            return try await answer { try await duty.visitorOut(try Self.id(context, "visitor"), user: b.user) }
        }
        routes.get("repairs") { request, _ in
            try await answer { try await duty.repairs(all: request.uri.queryParameters.get("all") == "true") }
        }
        routes.post("repairs/:id/close") { request, context in
            let b = try await Self.body(request)
            return try await answer { try await duty.closeRepair(try Self.id(context, "repair"), note: b.note, user: b.user) }
        }
        routes.get("equipment/log") { request, _ in
            let text = request.uri.queryParameters.get("since").map { String($0) } ?? "24h"
            return try await answer { try await duty.equipmentLog(since: try duty.time(text, "--since")) }
        }
        routes.post("handovers") { request, _ in
            let b = try await Self.body(request)
            return try await answer { try await duty.handover(from: b.from, to: b.to, note: b.note) }
        }
        routes.get("handovers/last") { _, _ in try await answer { try await duty.handoverRecord(nil) } }
        routes.get("handovers/:id") { _, context in
            try await answer { try await duty.handoverRecord(try Self.id(context, "handover")) }
        }
        return routes
    }

    /// The record's `{id}`; 400 when it is not a number.
    static func id(_ context: BasicRequestContext, _ what: String) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw CommandRefusal(.invalid, "\(what) id must be a number") }
        return id
    }

    /// The record as JSON; a refusal as its status; a record that cannot be written is refused
    /// (503 `journal-unavailable`), never answered as done.
    func answer(_ body: () async throws -> some Encodable) async throws -> Response {
        do {
            return try json(try await body())
        } catch {
            guard let answer = ControlError.response(for: error, journalPath: alarms.journal.path) else { throw error }
            return answer
        }
    }

    static func body(_ request: Request) async throws -> DutyBody {
        try await RequestBody.decode(DutyBody.self, from: request, empty: DutyBody(), takenBy: "request")
    }
}
