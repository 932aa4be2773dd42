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
        for verb in Self.alarmVerbs {
            routes.post("alarms/:id/\(verb)") { request, context in
                // An alarm id, or a zone, sensor or device id standing for its open alarms.
                guard let word = context.parameters.get("id")?.removingPercentEncoding, !word.isEmpty else {
                    return error(.badRequest, "the alarm id is not valid percent-encoding", "invalid")
                }
                let body = try await Self.body(request)
                let actor = try await callers.actor(context, typed: body.user, for: Self.alarmActions[verb]!)
                let user = actor.recordedName
                let open = await replies.alarms.openAlarms
                guard let pick = AlarmSelection.resolve([word], open: open).first, pick.problem == nil else {
                    return error(.notFound, AlarmSelection.resolve([word], open: open).first?.problem ?? "no alarm \(word)", "not-found")
                }
                return try await replies.reply {
                    var events: [AlarmEvent] = []
                    for id in pick.alarms {
                        events += try await replies.alarms.command(Self.command(verb, alarm: id, user: user, text: body.text,
                                                                                 reason: body.reason, seconds: body.durationSeconds),
                                                                    by: actor)
                    }
                    return events
                }
            }
        }
        addBatchCommands(to: routes)
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

    static let alarmVerbs = ["ack", "note", "reset", "shelve", "unshelve"]
    static let alarmActions: [String: Action] = ["ack": .acknowledge, "note": .note, "reset": .reset, "shelve": .shelve, "unshelve": .unshelve]

    /// The engine's command for an alarm verb.
    static func command(_ verb: String, alarm id: Int, user: String, text: String?, reason: String?, seconds: Int?) -> OperatorCommand {
        switch verb {
        case "ack": .acknowledge(alarm: id, user: user)
        case "note": .note(alarm: id, user: user, text: text ?? "")
        case "reset": .reset(alarm: id, user: user)
        case "shelve": .shelve(alarm: id, user: user, reason: reason ?? "", duration: .seconds(seconds ?? 0))
        default: .unshelve(alarm: id, user: user)
        }
    }

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
