import Alarms
@testable import Daemon
import Foundation
import Testing

/// The ISA-18.2 flood the metrics report, and the last checks they read from the journal's words.
struct AlarmKPITests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("more than 10 alarms in 10 minutes is a flood; it ends only once a 10-minute window holds fewer than 5")
    func flood() {
        var w = FloodWindow()
        for i in 0..<10 { w.annunciated(at: t0.addingTimeInterval(Double(i) * 50)) }
        #expect(!w.inFlood, "10 alarms are not yet a flood")
        w.annunciated(at: t0.addingTimeInterval(520))
        #expect(w.inFlood && w.floods == 1 && w.recent == 11)
        // Just before 10 minutes after the 7th alarm (at 300 s), 5 remain (300 ... 520): still a flood.
        w.judge(at: t0.addingTimeInterval(899))
        #expect(w.recent == 5 && w.inFlood, "5 in the window: the flood goes on")
        w.judge(at: t0.addingTimeInterval(900))
        #expect(w.recent == 4 && !w.inFlood, "fewer than 5: the flood is over")
        // Another burst is a second flood.
        for i in 0..<11 { w.annunciated(at: t0.addingTimeInterval(2000 + Double(i))) }
        #expect(w.inFlood && w.floods == 2)
    }

    @Test("the last self-test and equipment check are read from the events that close them")
    func lastChecks() {
        let run = AlarmEvent(kind: .selfTestFinished, time: t0, user: "zhao", text: "run 3 (complete): 5 passed, 12 failed (Z01, Z02)")
        let check = LastCheck.from(run)
        #expect(check?.kind == .selfTest && check?.check == LastCheck(time: t0, failed: 12, complete: true))
        let partial = AlarmEvent(kind: .selfTestFinished, time: t0, user: "zhao", text: "run 4 (partial): 1 passed, 0 failed")
        #expect(LastCheck.from(partial)?.check.complete == false)
        let summary = AlarmEvent(kind: .equipmentCheck, time: t0, user: "li", text: "summary: 6 passed, 1 failed")
        #expect(LastCheck.from(summary)?.kind == .equipmentCheck && LastCheck.from(summary)?.check.failed == 1)
        let item = AlarmEvent(kind: .equipmentCheck, time: t0, user: "li", text: "fail: recorder nvr-1: 1 failed disk")
        #expect(LastCheck.from(item) == nil, "an item of the check is not its result")
    }
}
