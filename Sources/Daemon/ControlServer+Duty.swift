import Alarms
import Control
import Foundation
import Hummingbird
import Journal
import NIOCore
import Records

/// Routes for the duty records: recordings, media, visitors, repairs, equipment log, handover.
extension ControlServer {
    func dutyRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/v1/recordings/holds") { request, _ in
            try await answer { try await duty.holds(all: request.uri.queryParameters.get("all") == "true") }
        }
        router.get("/v1/recordings/status") { _, _ in
            try await answer { await alarms.retention.values.sorted { $0.recorder < $1.recorder } }
        }
        router.get("/v1/recordings/requests") { _, _ in try await answer { try await duty.playbackLog() } }
        router.post("/v1/recordings/requests") { request, _ in
            let b = try await dutyBody(request)
            return try await answer {
                let from = try duty.time(b.fromTime, "--from"), to = try duty.time(b.toTime, "--to")
                return try await duty.requestPlayback(recorder: b.recorder ?? "", camera: b.camera, from: from, to: to, by: b.by, reason: b.reason)
            }
        }
        router.post("/v1/recordings/requests/:id/approve") { request, context in
            let b = try await dutyBody(request)
            return try await answer { try await duty.approvePlayback(try id(context, "playback request"), by: b.by) }
        }
        router.post("/v1/recordings/requests/:id/view") { request, context in
            let b = try await dutyBody(request)
            return try await answer { try await duty.viewPlayback(try id(context, "playback request"), by: b.by) }
        }
        router.get("/v1/media") { _, _ in try await answer { try await duty.mediaStatus() } }
        router.post("/v1/media/load") { request, _ in
            let b = try await dutyBody(request)
            return try await answer { try await duty.loadMedium(recorder: b.recorder ?? "", medium: b.medium, user: b.user) }
        }
        router.get("/v1/visitors") { request, _ in
            try await answer { try await duty.visitors(all: request.uri.queryParameters.get("all") == "true") }
        }
        router.post("/v1/visitors") { request, _ in
            let b = try await dutyBody(request)
            return try await answer { try await duty.visitorIn(name: b.name, org: b.org, purpose: b.purpose, approvedBy: b.approvedBy, user: b.user) }
        }
        router.post("/v1/visitors/:id/out") { request, context in
            let b = try await dutyBody(request)
            return try await answer { try await duty.visitorOut(try id(context, "visitor"), user: b.user) }
        }
        router.get("/v1/repairs") { request, _ in
            try await answer { try await duty.repairs(all: request.uri.queryParameters.get("all") == "true") }
        }
        router.post("/v1/repairs/:id/close") { request, context in
            let b = try await dutyBody(request)
            return try await answer { try await duty.closeRepair(try id(context, "repair"), note: b.note, user: b.user) }
        }
        router.get("/v1/equipment/log") { request, _ in
            let text = request.uri.queryParameters.get("since").map { String($0) } ?? "24h"
            return try await answer { try await duty.equipmentLog(since: try duty.time(text, "--since")) }
        }
        router.post("/v1/handovers") { request, _ in
            let b = try await dutyBody(request)
            return try await answer { try await duty.handover(from: b.from, to: b.to, note: b.note) }
        }
        router.get("/v1/handovers/last") { _, _ in try await answer { try await duty.handoverRecord(nil) } }
        router.get("/v1/handovers/:id") { _, context in
            try await answer { try await duty.handoverRecord(try id(context, "handover")) }
        }
    }

    func id(_ context: BasicRequestContext, _ what: String) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw CommandRefusal(.invalid, "\(what) id must be a number") }
        return id
    }

    func answer(_ body: () async throws -> some Encodable) async throws -> Response {
        do {
            return try json(try await body())
        } catch let refusal as CommandRefusal {
            return refused(refusal)
        } catch {
            // A duty record that cannot be written is refused, never answered as done.
            guard let failure = JournalWriteFailure.classify(error, journalPath: alarms.journal.path) else { throw error }
            return unavailable(failure)
        }
    }

    func dutyBody(_ request: Request) async throws -> DutyBody {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        if buffer.readableBytes == 0 { return DutyBody() }
        do { return try ControlJSON.decoder.decode(DutyBody.self, from: Data(buffer.readableBytesView)) } catch {
            throw HTTPError(.badRequest, message: "the request body is not the JSON this request takes: \(error)")
        }
    }
}
