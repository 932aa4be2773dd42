import Alarms
import Foundation
import Polling
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

struct EquipmentCheckSensorTextTests {
    static let yaml = """
        site: {name: 测试, timezone: Asia/Shanghai}
        state_dir: /tmp/unused
        profiles: [\(devicesFolder)]
        buses:
          - {id: rs485, tcp: {host: 127.0.0.1, port: 1502}}
        devices:
          - {id: th-1, bus: rs485, unit: 1, profile: xy-md02}
        sensors:
          - {id: room-temp, name: 监控室温度, input: th-1.temperature, low: 5, high: 40}
        """

    @Test("a sensor on a comm-lost device reads \"no reading: th-1 is comm-lost\", not its stale value as unknown and outside its limits")
    func commLostSensor() throws {
        let site = try loadSite(Self.yaml)
        var tracker = StateTracker(config: site)
        let value = PointValue(readings: [.number(24.5)], quality: .good, time: testNow)
        _ = tracker.apply(DeviceScan(device: "th-1", bus: "rs485", time: testNow, values: ["temperature": value]))
        let check = EquipmentCheck(config: site)
        func sensorLine(_ t: StateTracker, fresh: Bool) -> (ok: Bool, text: String)? {
            let inputs = EquipmentCheck.Inputs(tracker: t, lastGoodScan: fresh ? ["th-1": testNow] : [:], retention: [:], lastJournalWrite: .success(nil))
            return check.items(inputs, at: testNow).first { $0.text.hasPrefix("sensor ") }
        }
        #expect(sensorLine(tracker, fresh: true)?.text == "sensor room-temp 监控室温度: 24.5: within limits")
        #expect(sensorLine(tracker, fresh: true)?.ok == true)
        _ = tracker.apply(DeviceScan(device: "th-1", bus: "rs485", time: testNow, values: [:], error: PointError(.timeout, "no answer"),
                                     transition: .lost, consecutiveFailures: 3))
        let lost = try #require(sensorLine(tracker, fresh: true))
        #expect(lost.text == "sensor room-temp 监控室温度: no reading: th-1 is comm-lost")
        #expect(!lost.ok)
        #expect(sensorLine(StateTracker(config: site), fresh: false)?.text == "sensor room-temp 监控室温度: no reading: th-1 has not answered yet")
    }
}
