import Access
import Alarms
import Control
import Foundation
import Hummingbird
import Journal
import SiteConfig

/// `POST /v1/commands/{verb}`: an alarm command for several alarms at once (a flood), each named
/// by id or by its zone, sensor or device, or every unacknowledged one; answered per alarm.
extension OperatorCommandRoutes {
    func addBatchCommands(to routes: RouteCollection<ControlContext>) {
        for verb in Self.alarmVerbs {
            routes.post("commands/\(verb)") { request, context in
                let body = try await RequestBody.decode(AlarmCommandBatch.self, from: request, empty: AlarmCommandBatch(user: nil), takenBy: "command")
                // The caller's right is checked once for the whole batch, like a single command.
                let actor = try await callers.actor(context, typed: body.user, for: Self.alarmActions[verb]!)
                let alarms = replies.alarms
                let open = await alarms.openAlarms
                let targets = body.targets ?? []
                var picks: [AlarmSelection.Pick]
                if body.allUnacknowledged == true {
                    guard verb == "ack" else { return error(.badRequest, "all_unacknowledged is for ack only", "invalid") }
                    guard targets.isEmpty else { return error(.badRequest, "give targets or all_unacknowledged, not both", "invalid") }
                    var priority: Priority?
                    if let p = body.priority {
                        guard let known = Priority(rawValue: p) else {
                            return error(.badRequest, "unknown priority '\(Printable.line(p))'; use \(Priority.allCases.map(\.rawValue).joined(separator: ", "))", "invalid")
                        }
                        priority = known
                    }
                    if let area = body.area, !alarms.config.areas.contains(where: { $0.id == area }) {
                        return error(.badRequest, "no area '\(Printable.line(area))'; the site's areas: \(alarms.config.areas.map(\.id).joined(separator: ", "))", "invalid")
                    }
                    let ids = AlarmSelection.unacknowledged(open: open, priority: priority, area: body.area, config: alarms.config)
                    picks = ids.map { AlarmSelection.Pick(target: String($0), alarms: [$0]) }
                } else {
                    guard body.priority == nil && body.area == nil else { return error(.badRequest, "priority and area narrow all_unacknowledged only", "invalid") }
                    guard !targets.isEmpty else { return error(.badRequest, "name the alarms: targets (alarm ids or zone, sensor or device ids) or all_unacknowledged", "invalid") }
                    picks = AlarmSelection.resolve(targets, open: open)
                }
                var results: [AlarmCommandOutcomes.Outcome] = []
                var seen = Set<Int>()
                for pick in picks {
                    if let problem = pick.problem {
                        results.append(.init(target: pick.target, alarm: nil, error: problem, code: "not-found"))
                        continue
                    }
                    for id in pick.alarms where seen.insert(id).inserted {
                        let command = Self.command(verb, alarm: id, user: actor.recordedName, text: body.text, reason: body.reason, seconds: body.durationSeconds)
                        results.append(try await outcome(command, by: actor, target: pick.target, alarm: id))
                    }
                }
                return try json(AlarmCommandOutcomes(results: results))
            }
        }
    }

    /// One command's outcome: its committed events, or the refusal's message and code.
    private func outcome(_ command: OperatorCommand, by actor: Actor, target: String, alarm id: Int) async throws -> AlarmCommandOutcomes.Outcome {
        let alarms = replies.alarms
        do {
            let events = try await alarms.command(command, by: actor)
            for w in await alarms.takeWrites() { replies.writes.enqueue(w) }
            return .init(target: target, alarm: id, events: events)
        } catch let refusal as CommandRefusal {
            return .init(target: target, alarm: id, error: refusal.message, code: refusal.code.rawValue)
        } catch {
            guard let unwritable = JournalWriteFailure.classify(error, journalPath: alarms.journal.path) else { throw error }
            return .init(target: target, alarm: id, error: unwritable.description, code: "journal-unavailable")
        }
    }
}
