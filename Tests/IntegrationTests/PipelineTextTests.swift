import Alarms
import Foundation
@testable import Daemon
import Testing

/// What the pipeline says about itself, as pure text: the STATUS= line.
struct PipelineTextTests {
    @Test("the status line counts buses, armed zones, active and open alarms and lost devices, and says when the journal is stalled")
    func statusLine() {
        let line = StatusLine.text(buses: 1, alarms: [Alarm](), zones: [ZoneControl(armed: true), ZoneControl(armed: false)], comm: [CommCondition.lost, .ok],
                                   stall: nil)
        #expect(line == "1 bus, 1 zones armed, 0 alarms active, 1 device comm-lost")
        let stalled = StatusLine.text(buses: 2, alarms: [Alarm](), zones: [ZoneControl](), comm: [CommCondition](),
                                      stall: .init(reason: "the disk is full", held: 12))
        #expect(stalled == "2 buses, 0 zones armed, 0 alarms active, 0 devices comm-lost; JOURNAL STALLED: the disk is full, 12 events held in memory, operator commands refused")
    }
}
