import Alarms
import Foundation
@testable import Daemon
import Journal
import Notify
import Polling
import Records
import Testing

/// What one engine step writes in its transaction, planned without a journal.
struct StepPlannerTests {
    @Test("a step's batch holds its events, the state of only the zones they touch, one outbox row per notification and the repairs they ask for")
    func batch() throws {
        let rig = try CommitPipelineTests.Rig("step-planner")
        let t0 = rig.clock.next()
        var engine = AlarmEngine(config: rig.config, now: t0)
        var tracker = StateTracker(config: rig.config)
        guard case .scan(let quiet) = rig.scan(closed: []), case .scan(let z3) = rig.scan(closed: [3]) else { return }
        _ = engine.apply(tracker.apply(quiet), at: quiet.time)
        var output = engine.apply(tracker.apply(z3), at: z3.time)
        #expect(output.events.contains { $0.kind == .raised && $0.alarm?.source == AlarmSource(.zone, "Z3") }, "\(output.events)")
        output.events.append(AlarmEvent(kind: .equipmentCheck, time: z3.time, user: "王五", text: "fail: device di-1 is comm-lost"))
        output.events.append(AlarmEvent(kind: .armed, time: z3.time, zone: "Z5", user: "王五"))

        let plan = StepPlanner(config: rig.config).plan(output, zoneControl: engine.zoneControl, samples: [], at: z3.time)
        #expect(plan.batch.events.count == output.events.count)
        #expect(Set(plan.batch.zones.keys) == ["Z5"], "only the zones the step's events name: \(plan.batch.zones.keys.sorted())")
        // The high-priority alarm and the failed check item each go to the one target; the item also asks for a repair.
        #expect(plan.notifications.map(\.notification.kind) == [.raised, .repairRequired], "\(plan.notifications)")
        #expect(plan.batch.outbox.map(\.target) == ["bot", "bot"] && plan.unencodable.isEmpty)
        #expect(plan.batch.repairs.map(\.subject) == ["device di-1"])
        #expect(plan.batch.holds.isEmpty, "no zone of this site has cameras")

        var later = StepBatch()
        later.append(plan.batch)
        later.append(StepBatch(events: [], zones: ["Z5": ZoneControl(armed: false)]))
        #expect(later.events.count == plan.batch.events.count && later.zones["Z5"]?.armed == false, "the later step's zone state wins")
    }
}
