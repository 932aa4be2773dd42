import Foundation

/// Plays a scenario (a list of simulator command lines) against a simulated site.
public struct ScenarioRunner: Sendable {
    public let lines: [(number: Int, command: SimulatorCommand)]

    /// Parses the whole script first, so a typo is reported before anything runs.
    public init(text: String, file: String) throws(SimulatedSite.CommandError) {
        var out: [(Int, SimulatorCommand)] = []
        var errors: [String] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            do throws(SimulatorCommand.ParseError) {
                if let c = try SimulatorCommand.parse(String(line)) { out.append((i + 1, c)) }
            } catch {
                errors.append("\(file):\(i + 1):1: \(error.message)")
            }
        }
        if !errors.isEmpty { throw SimulatedSite.CommandError(message: errors.joined(separator: "\n")) }
        lines = out
    }

    /// The commands before the first `wait`: the scenario's starting state.
    public var prelude: [SimulatorCommand] {
        Array(lines.prefix { if case .wait = $0.command { false } else { true } }.map(\.command).filter {
            if case .say = $0 { false } else { true }
        })
    }

    /// Runs every line; `say` lines and failures go to `narrate`. Returns false if interrupted.
    public func run(on site: SimulatedSite, narrate: @Sendable (String) -> Void,
                    operatorStep: (@Sendable (SimulatorCommand) async -> String?)? = nil,
                    cancelled: @Sendable () -> Bool = { false }) async -> Bool {
        for (number, command) in lines {
            if cancelled() || Task.isCancelled { return false }
            switch command {
            case .say(let text): narrate(text)
            case .wait(let d):
                do { try await Task.sleep(for: d) } catch { return false }
            case .operatorAction:
                if let operatorStep, let failure = await operatorStep(command) { narrate("scenario line \(number): \(failure)") }
                if operatorStep == nil { narrate("scenario line \(number): operator steps need the daemon") }
            default:
                do { try site.apply(command) } catch { narrate("scenario line \(number): \(error.message)") }
            }
        }
        return true
    }
}
