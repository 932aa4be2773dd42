import Alarms
import Control
import Foundation
import Records
import Simulator

/// Plays a scenario's operator steps through the control API, exactly as `watchroomctl` would.
enum OperatorSteps {
    /// Returns nil on success, else what went wrong (a refusal is shown, not hidden).
    static func perform(_ command: SimulatorCommand, socket: String) async -> String? {
        guard case .operatorAction(let verb, let target, let user, let rest) = command else { return nil }
        let client = ControlClient(socketPath: socket)
        do {
            let path: String
            var body = CommandBody(user: user)
            switch verb {
            case "handover":
                let duty = DutyBody(note: rest.isEmpty ? nil : rest, from: target, to: user)
                let reply = try client.request("POST", "/v1/handovers", body: try ControlJSON.encoder.encode(duty))
                guard reply.status == 200 else { return "refused: handover \(target) -> \(user): HTTP \(reply.status)" }
                let record = try ControlJSON.decoder.decode(HandoverRecord.self, from: reply.body)
                // Unbuffered, so it lands between the narration lines it belongs to.
                FileHandle.standardOutput.write(Data(HandoverText.render(record, markdown: false, timezone: .current).utf8))
                return nil
            case "arm", "disarm", "out-of-service", "return-to-service":
                path = "/v1/zones/\(target)/\(verb)"
                body.reason = rest
            default:
                let reply = try client.request("GET", "/v1/alarms")
                let open = try ControlJSON.decoder.decode([Alarm].self, from: reply.body)
                let candidates = open.filter { $0.source.id == target }.sorted { $0.id > $1.id }
                let wanted = verb == "ack" ? candidates.first { $0.state == .unacknowledged || $0.state == .returnedUnacknowledged } : candidates.first
                guard let alarm = wanted ?? candidates.first else { return "\(verb) \(target): no open alarm for \(target)" }
                path = "/v1/alarms/\(alarm.id)/\(verb)"
                if verb == "shelve" {
                    let words = rest.split(separator: " ", maxSplits: 1).map(String.init)
                    body.durationSeconds = Int((SimulatorCommand.parseDuration(words.first ?? "") ?? .zero).components.seconds)
                    body.reason = words.count > 1 ? words[1] : ""
                } else {
                    body.text = rest
                }
            }
            let reply = try client.request("POST", path, body: try ControlJSON.encoder.encode(body))
            if reply.status == 200 { return nil }
            let message = (try? ControlJSON.decoder.decode(ErrorBody.self, from: reply.body).error) ?? "HTTP \(reply.status)"
            return "refused: \(verb) \(target) by \(user): \(message)"
        } catch {
            return "\(verb) \(target): \(error)"
        }
    }
}
