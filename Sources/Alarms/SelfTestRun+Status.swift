public import Foundation

extension SelfTestRun {
    /// What `watchroomctl status` says of a run still in progress: which zones staff must walk and
    /// until when, and which are tested by their relay; nil once the run has finished.
    public func inProgressLines(time: (Date) -> String) -> [String]? {
        guard finishedAt == nil else { return nil }
        let open = zones.values.filter { !$0.finished }
        let walk = open.filter { $0.mode == .walk }.sorted { $0.zone < $1.zone }
        let active = open.filter { $0.mode == .active }.map(\.zone).sorted()
        var lines = ["self-test run \(id) in progress (started \(time(startedAt)) by \(startedBy)): "
            + "\(passed.count) passed, \(failed.count) failed, \(open.count) to go"]
        if !walk.isEmpty {
            let until = walk.map(\.deadline).max()!
            let tripped = walk.filter { $0.phase == .awaitingWalkRestore }.map(\.zone)
            lines.append("walk test: trip \(walk.filter { $0.phase != .awaitingWalkRestore }.map(\.zone).joined(separator: ", ")) by hand before \(time(until))"
                + (tripped.isEmpty ? "" : "; waiting for \(tripped.joined(separator: ", ")) to restore"))
        }
        if !active.isEmpty { lines.append("tested by relay: \(active.joined(separator: ", "))") }
        return lines
    }
}
