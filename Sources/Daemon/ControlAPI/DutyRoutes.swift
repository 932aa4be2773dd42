import Access
import Alarms
import Control
import Foundation
import Hummingbird
import Journal
import Records
import SiteConfig

/// The duty records: recordings (holds, retention status, playback requests), media, visitors,
/// repairs, the equipment log and the shift handover. A record is answered only once journaled.
struct DutyRoutes: Sendable {
    let duty: DutyService
    /// For the recorders' last retention checks and the journal's path (to name a write failure).
    let alarms: AlarmService
    /// Who calls: names and approvals come from the caller, not from what is typed (trust mode aside).
    let callers: Callers

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        routes.get("recordings/holds") { request, _ in
            try await answer { try await duty.holds(all: request.uri.queryParameters.get("all") == "true") }
        }
        routes.get("recordings/status") { _, _ in
            try await answer { await alarms.retention.values.sorted { $0.recorder < $1.recorder } }
        }
        routes.get("recordings/requests") { _, _ in try await answer { try await duty.playbackLog() } }
        routes.post("recordings/requests") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                let actor = try await callers.actor(context, typed: b.by, for: .requestPlayback, typedRequired: false)
                let from = try duty.time(b.fromTime, "--from"), to = try duty.time(b.toTime, "--to")
                return try await duty.requestPlayback(recorder: b.recorder ?? "", camera: b.camera, from: from, to: to,
                                                      by: Self.name(actor, typed: b.by), reason: b.reason, actor: actor)
            }
        }
        routes.post("recordings/requests/:id/approve") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                // The approver is the caller (site rule 8): a typed --by must be their own name.
                let actor = try await callers.actor(context, typed: b.by, for: .approvePlayback, typedRequired: false)
                return try await duty.approvePlayback(try Self.id(context, "playback request"), by: Self.name(actor, typed: b.by), actor: actor)
            }
        }
        routes.post("recordings/requests/:id/view") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                let actor = try await callers.actor(context, typed: b.by, for: .viewPlayback, typedRequired: false)
                return try await duty.viewPlayback(try Self.id(context, "playback request"), by: Self.name(actor, typed: b.by), actor: actor)
            }
        }
        routes.get("media") { _, _ in try await answer { try await duty.mediaStatus() } }
        routes.post("media/load") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                let actor = try await callers.actor(context, typed: b.user, for: .loadMedium, typedRequired: false)
                return try await duty.loadMedium(recorder: b.recorder ?? "", medium: b.medium, user: Self.name(actor, typed: b.user))
            }
        }
        routes.get("visitors") { request, _ in
            try await answer { try await duty.visitors(all: request.uri.queryParameters.get("all") == "true") }
        }
        routes.post("visitors") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                let actor = try await callers.actor(context, typed: b.user, for: .registerVisitor, typedRequired: false)
                let (approver, awaiting) = try Self.visitorApprover(b.approvedBy, actor: actor, users: callers.users)
                return try await duty.visitorIn(name: b.name, org: b.org, purpose: b.purpose, approvedBy: approver,
                                                user: Self.name(actor, typed: b.user), actor: actor, awaiting: awaiting)
            }
        }
        routes.post("visitors/:id/approve") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                // The approver is the caller (site rule 9): a typed --by must be their own name.
                let actor = try await callers.actor(context, typed: b.by, for: .approveVisitor, typedRequired: false)
                guard !actor.isTrusted else {
                    throw CommandRefusal(.invalid, "without users: a visit is approved when registered (--approved-by); there is nothing to confirm")
                }
                return try await duty.approveVisitor(try Self.id(context, "visitor"), actor: actor)
            }
        }
        routes.post("visitors/:id/out") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                let actor = try await callers.actor(context, typed: b.user, for: .registerVisitor, typedRequired: false)
                return try await duty.visitorOut(try Self.id(context, "visitor"), user: Self.name(actor, typed: b.user))
            }
        }
        routes.get("repairs") { request, _ in
            try await answer { try await duty.repairs(all: request.uri.queryParameters.get("all") == "true") }
        }
        routes.post("repairs/:id/close") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                let actor = try await callers.actor(context, typed: b.user, for: .closeRepair, typedRequired: false)
                return try await duty.closeRepair(try Self.id(context, "repair"), note: b.note, user: Self.name(actor, typed: b.user))
            }
        }
        routes.get("equipment/log") { request, _ in
            let text = request.uri.queryParameters.get("since").map { String($0) } ?? "24h"
            return try await answer { try await duty.equipmentLog(since: try duty.time(text, "--since")) }
        }
        routes.post("handovers") { request, context in
            let b = try await Self.body(request)
            return try await answer {
                // Who hands over is the caller; who takes over is named.
                let actor = try await callers.actor(context, typed: b.from, for: .recordHandover, typedRequired: false)
                return try await duty.handover(from: Self.name(actor, typed: b.from), to: b.to, note: b.note)
            }
        }
        routes.get("handovers/last") { _, _ in try await answer { try await duty.handoverRecord(nil) } }
        routes.get("handovers/:id") { _, context in
            try await answer { try await duty.handoverRecord(try Self.id(context, "handover")) }
        }
        return routes
    }

    /// The name a record takes: in trust mode what was typed, else the caller's (or whom an admin acts for).
    static func name(_ actor: Actor, typed: String?) -> String? { actor.isTrusted ? typed : actor.recordedName }

    /// Who approves a visit (site rule 9). In trust mode the typed name, checked by the visitor
    /// rule against `visitors.approvers`. With users: the caller, when they may approve visitors
    /// and name nobody else; else the site user the operator names, who must hold a role that
    /// approves visitors (the refusal says which, never who holds it).
    /// Returns the approver's name and, when it is someone else, their login: the visit then
    /// waits for their own `visitor approve`.
    static func visitorApprover(_ typed: String?, actor: Actor, users: SiteUsers) throws -> (String?, awaiting: String?) {
        guard !actor.isTrusted else { return (typed, nil) }
        let text = typed?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let named = text.isEmpty ? nil : users.user(named: text)
        let mine = text.isEmpty || text == actor.login || text == actor.name || named.map { $0.login == actor.actingFor?.login } == true
        if mine {
            guard actor.may(.approveVisitor).isAllowed else {
                throw Refusal(.forbidden, "an outsider enters only with approval (site rule 9): name the approver with --approved-by; approving needs the \(RoleTable.roles(allowing: .approveVisitor).map(\.rawValue).joined(separator: ", ")) or admin role")
            }
            return (actor.recordedName, nil)
        }
        guard let approver = named, Actor(user: approver, carrier: actor.carrier).may(.approveVisitor).isAllowed else {
            throw Refusal(.invalid, "'\(text)' is no site user who may approve visits; the approver must hold the \(RoleTable.roles(allowing: .approveVisitor).map(\.rawValue).joined(separator: ", ")) or admin role")
        }
        return (approver.name, approver.login)
    }

    /// The record's `{id}`; 400 when it is not a number.
    static func id(_ context: ControlContext, _ what: String) throws -> Int64 {
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
