import Alarms
import Control
import Hummingbird
import Journal

/// Answers an operator command only once its events are committed: the events, with the panel
/// writes it asked for sent to the bus workers. A refusal is its 400/404/409; a journal that
/// cannot be written is 503 `journal-unavailable` (nothing was done).
struct CommandReplies: Sendable {
    let alarms: AlarmService
    let writes: any PointWriteQueue

    func reply(_ command: () async throws -> [AlarmEvent]) async throws -> Response {
        do {
            let events = try await command()
            for w in await alarms.takeWrites() { writes.enqueue(w) }
            return try json(CommandResult(events: events))
        } catch {
            guard let answer = ControlError.response(for: error, journalPath: alarms.journal.path) else { throw error }
            return answer
        }
    }
}
