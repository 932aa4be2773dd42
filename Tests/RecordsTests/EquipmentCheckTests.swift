import Alarms
import Foundation
import Records
import SiteConfig
import Testing

struct EquipmentCheckTests {
    struct Unreadable: Error, CustomStringConvertible { var description: String { "disk I/O error" } }

    @Test("a journal that cannot be read fails the clock item; it never passes as 'clock agrees'")
    func unreadableJournalFails() throws {
        let site = try loadSite(holdSiteYAML)
        let check = EquipmentCheck(config: site)
        let inputs = EquipmentCheck.Inputs(tracker: StateTracker(config: site), lastGoodScan: [:], retention: [:],
                                           lastJournalWrite: .failure(Unreadable()))
        let clock = try #require(check.items(inputs, at: testNow).last)
        #expect(!clock.ok)
        #expect(clock.text.contains("could not be read") && clock.text.contains("disk I/O error"))
    }

    @Test("a clock set back behind the journal's last write fails; the summary counts every item")
    func clockSetBack() throws {
        let site = try loadSite(holdSiteYAML)
        let check = EquipmentCheck(config: site)
        let inputs = EquipmentCheck.Inputs(tracker: StateTracker(config: site), lastGoodScan: [:], retention: [:],
                                           lastJournalWrite: .success(testNow.addingTimeInterval(3600)))
        let events = check.events(inputs, user: "王五", at: testNow)
        #expect(events.contains { $0.text?.hasPrefix("fail: clock is 3600 s behind") == true })
        // One device that has not answered and the clock: 2 failed of 2.
        #expect(events.last?.text == "summary: 0 passed, 2 failed")
        #expect(events.allSatisfy { $0.kind == .equipmentCheck && $0.user == "王五" })
    }
}
