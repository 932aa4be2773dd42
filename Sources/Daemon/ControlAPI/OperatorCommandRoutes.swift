import Access
import Alarms
import Control
import Foundation
import Hummingbird

/// The operators' commands on alarms (ack, note, reset, shelve, unshelve) and on zones and areas
/// (arm, disarm, out of service, return to service), each answered only once committed.
struct OperatorCommandRoutes: Sendable {
    let replies: CommandReplies
    /// Who calls, and whether they may (the caller's user; `user` must name them).
    let callers: Callers

    var collection: RouteCollection<ControlContext> {
        let routes = RouteCollection(context: ControlContext.self)
        for verb in ["ack", "note", "reset", "shelve", "unshelve"] {
            routes.post("alarms/:id/\(verb)") { request, context in
                guard let id = context.parameters.get("id").flatMap(Int.init) else { return error(.badRequest, "alarm id must be a number", "invalid") }
                let body = try await Self.body(request)
                let actor = try await callers.actor(context, typed: body.user, for: Self.alarmActions[verb]!)
                let user = actor.recordedName
                let command: OperatorCommand
                switch verb {
                case "ack": command = .acknowledge(alarm: id, user: user)
                case "note": command = .note(alarm: id, user: user, text: body.text ?? "")
                case "reset": command = .reset(alarm: id, user: user)
                case "shelve": command = .shelve(alarm: id, user: user, reason: body.reason ?? "", duration: .seconds(body.durationSeconds ?? 0))
                default: command = .unshelve(alarm: id, user: user)
                }
                return try await run(command, by: actor)
            }
        }
        for verb in ["arm", "disarm", "out-of-service", "return-to-service"] {
            routes.post("zones/:target/\(verb)") { request, context in
                // The router does not decode percent-escapes; watchroomctl encodes every segment.
                guard let target = context.parameters.get("target")?.removingPercentEncoding else {
                    return error(.badRequest, "the zone or area id is not valid percent-encoding", "invalid")
                }
                let body = try await Self.body(request)
                let actor = try await callers.actor(context, typed: body.user, for: await zoneAction(verb, target))
                let user = actor.recordedName
                let command: OperatorCommand = switch verb {
                case "arm": .arm(target: target, user: user)
                case "disarm": .disarm(target: target, user: user)
                case "out-of-service": .outOfService(zone: target, user: user, reason: body.reason ?? "")
                default: .returnToService(zone: target, user: user)
                }
                return try await run(command, by: actor)
            }
        }
        return routes
    }

    static let alarmActions: [String: Action] = ["ack": .acknowledge, "note": .note, "reset": .reset, "shelve": .shelve, "unshelve": .unshelve]

    /// The right a zone command needs: taking a zone that a running self-test is testing out of
    /// service (or back) is maintenance's too.
    func zoneAction(_ verb: String, _ target: String) async -> Action {
        switch verb {
        case "arm": return .arm
        case "disarm": return .disarm
        default:
            let run = await replies.alarms.selfTestRun
            if let run, run.finishedAt == nil, run.zones[target] != nil { return .outOfServiceUnderTest }
            return verb == "out-of-service" ? .outOfService : .returnToService
        }
    }

    func run(_ command: OperatorCommand, by actor: Actor) async throws -> Response {
        let alarms = replies.alarms
        return try await replies.reply { try await alarms.command(command, by: actor) }
    }

    /// A command's body: `{"user": ..., ...}`; an empty body is a command without a user (refused by the engine).
    static func body(_ request: Request) async throws -> CommandBody {
        try await RequestBody.decode(CommandBody.self, from: request, empty: CommandBody(user: nil), takenBy: "command")
    }
}
