import Alarms
import Foundation
import Modbus
@testable import Polling
import SiteConfig
import Testing

private let profile = """
    model: test-io
    source: "test fixture"
    points:
      di: {table: discrete_input, address: 0, count: 4, type: bool}
      zone_state: {table: input_register, address: 0, count: 2, type: uint16, values: {0: normal, 1: alarm, 2: tamper, 3: fault}}
      temp: {table: input_register, address: 10, type: int16, scale: 0.1}
      on_battery: {table: holding_register, address: 1, bit: 2}
      mode: {table: holding_register, address: 2, type: uint16, values: {0: auto, 1: manual}}
    """

private let site = """
    site: {name: Test, timezone: UTC}
    state_dir: /tmp/watchroom-test
    buses:
      - {id: lan, tcp: {host: 127.0.0.1, port: 1502}, comm_loss_after: 3}
    devices:
      - {id: io, bus: lan, unit: 1, profile: test-io}
      - {id: io2, bus: lan, unit: 2, profile: test-io}
    zones:
      - {id: NO, type: panic, input: "io.di[0]"}
      - {id: NC, type: perimeter, input: "io.di[1]", alarm_when: false}
      - {id: S1, type: 24h, input: "io.zone_state[1]"}
      - {id: OTHER, type: fire, input: "io2.di[0]"}
    sensors:
      - {id: slow, input: io.temp, low: 5, high: 40, deadband: 0.5, delay_s: 60}
      - {id: fast, input: io2.temp, low: 5, high: 40, deadband: 0.5}
    equipment:
      - {id: ups, input: io.on_battery, alarm_when: true}
      - {id: manual, input: io.mode, alarm_when: manual}
    """

/// One device's inputs, as a bus worker would decode them.
private struct Inputs {
    var di: [Bool] = [false, true, false, false]  // NO open, NC closed: both zones normal
    var states: [Int] = [0, 0]
    var temp = 20.0
    var onBattery = false
    var mode = 0

    var values: [String: [Reading]] {
        [
            "di": di.map(Reading.bool),
            "zone_state": states.map { Reading.label(code: $0, name: [0: "normal", 1: "alarm", 2: "tamper", 3: "fault"][$0]) },
            "temp": [.number(temp)],
            "on_battery": [.bool(onBattery)],
            "mode": [.label(code: mode, name: [0: "auto", 1: "manual"][mode])],
        ]
    }
}

private func siteTime(_ s: Double) -> Date { Date(timeIntervalSince1970: 1_700_000_000 + s) }

private func good(_ device: String, at t: Double = 0, _ inputs: Inputs = Inputs()) -> DeviceScan {
    let values = inputs.values.mapValues { PointValue(readings: $0, quality: .good, time: siteTime(t)) }
    return DeviceScan(device: device, bus: "lan", time: siteTime(t), values: values, error: nil, transition: nil,
                      consecutiveFailures: 0, requests: 3)
}

private func failed(_ device: String, at t: Double = 0, failures: Int, transition: CommSupervisor.Transition? = nil)
    -> DeviceScan
{
    DeviceScan(device: device, bus: "lan", time: siteTime(t), values: [:],
               error: PointError(.timeout, "read input registers: timed out after 300 ms: no reply"),
               transition: transition, consecutiveFailures: failures, requests: 1)
}

private func zoneChanges(_ changes: [StateChange]) -> [String: ZoneCondition] {
    var out: [String: ZoneCondition] = [:]
    for case .zone(let z, _, let to, _) in changes { out[z.id] = to }
    return out
}

private func sensorChanges(_ changes: [StateChange]) -> [SensorBand] {
    changes.compactMap { if case .sensor(_, _, let to, _) = $0 { to } else { nil } }
}

struct StateTrackerTests {
    let config: SiteConfig

    init() throws {
        config = try loadTestSite(["site.yaml": site, "test-io.yaml": profile])
    }

    // MARK: zones

    @Test(
        "a normally open contact alarms when closed; a normally closed one (alarm_when: false) when open",
        arguments: [
            // (di[0], di[1], zone NO, zone NC)
            (false, true, ZoneCondition.normal, ZoneCondition.normal),
            (true, true, .alarm, .normal),
            (false, false, .normal, .alarm),
            (true, false, .alarm, .alarm),
        ])
    func contactPolarity(no: Bool, nc: Bool, expectNO: ZoneCondition, expectNC: ZoneCondition) {
        var tracker = StateTracker(config: config)
        var inputs = Inputs()
        inputs.di[0] = no
        inputs.di[1] = nc
        let changes = tracker.apply(good("io", inputs))
        #expect(tracker.zones["NO"] == expectNO)
        #expect(tracker.zones["NC"] == expectNC)
        #expect(zoneChanges(changes)["NO"] == expectNO)
        #expect(zoneChanges(changes)["NC"] == expectNC)
    }

    @Test("a zone change is reported once, with the value that caused it")
    func zoneChangeReportedOnce() throws {
        var tracker = StateTracker(config: config)
        _ = tracker.apply(good("io", at: 0))
        #expect(zoneChanges(tracker.apply(good("io", at: 1))).isEmpty)
        var inputs = Inputs()
        inputs.di[0] = true
        let zone = try #require(config.zones.first { $0.id == "NO" })
        #expect(tracker.apply(good("io", at: 2, inputs)) == [.zone(zone, from: .normal, to: .alarm, value: "1")])
        #expect(tracker.apply(good("io", at: 3, inputs)).isEmpty)
    }

    @Test(
        "a supervised zone reports the state its loop gives, and an unknown code as a fault",
        arguments: [(0, ZoneCondition.normal), (1, .alarm), (2, .tamper), (3, .fault), (9, .fault)])
    func supervisedStates(code: Int, expected: ZoneCondition) {
        var tracker = StateTracker(config: config)
        var inputs = Inputs()
        inputs.states = [1, code]  // S1 is element 1; element 0 is a spare in alarm
        _ = tracker.apply(good("io", inputs))
        #expect(tracker.zones["S1"] == expected)
    }

    // MARK: sensors

    @Test("a sensor leaves a limit band only when back inside by the deadband")
    func sensorBandsWithDeadband() {
        var tracker = StateTracker(config: config)
        let steps: [(Double, SensorBand)] = [
            (20, .normal), (40, .normal), (40.1, .high), (39.6, .high), (39.5, .normal),
            (4.9, .low), (5.4, .low), (5.5, .normal), (41, .high), (4, .low),
        ]
        for (i, (temp, band)) in steps.enumerated() {
            var inputs = Inputs()
            inputs.temp = temp
            _ = tracker.apply(good("io2", at: Double(i), inputs))
            #expect(tracker.sensors["fast"] == band, "step \(i): \(temp)")
        }
    }

    @Test("a sensor out of range raises only after staying out for delay_s; returning is immediate")
    func sensorOnDelay() {
        var tracker = StateTracker(config: config)
        func scan(_ t: Double, _ temp: Double) -> [SensorBand] {
            var inputs = Inputs()
            inputs.temp = temp
            return sensorChanges(tracker.apply(good("io", at: t, inputs)))
        }
        #expect(scan(0, 20) == [.normal])
        #expect(scan(10, 45).isEmpty)
        #expect(scan(69, 45).isEmpty)  // 59 s out of range
        #expect(scan(70, 45) == [.high])  // 60 s
        #expect(scan(71, 20) == [.normal])
    }

    @Test("a spike shorter than delay_s raises nothing, and the delay restarts with the next excursion")
    func sensorSpikeIgnored() {
        var tracker = StateTracker(config: config)
        func scan(_ t: Double, _ temp: Double) -> [SensorBand] {
            var inputs = Inputs()
            inputs.temp = temp
            return sensorChanges(tracker.apply(good("io", at: t, inputs)))
        }
        _ = scan(0, 20)
        #expect(scan(10, 45).isEmpty)
        #expect(scan(30, 20).isEmpty)
        #expect(scan(50, 45).isEmpty)
        #expect(scan(100, 45).isEmpty)  // 50 s since the second excursion began
        #expect(scan(110, 45) == [.high])
    }

    // MARK: equipment

    @Test("equipment alarms on a status bit and on a named enum state")
    func equipmentConditions() {
        var tracker = StateTracker(config: config)
        _ = tracker.apply(good("io", at: 0))
        #expect(tracker.equipment["ups"] == .normal)
        #expect(tracker.equipment["manual"] == .normal)
        var inputs = Inputs()
        inputs.onBattery = true
        inputs.mode = 1
        _ = tracker.apply(good("io", at: 1, inputs))
        #expect(tracker.equipment["ups"] == .alarm)
        #expect(tracker.equipment["manual"] == .alarm)
    }

    // MARK: communication

    @Test("a comm-lost device reports the loss, its zones only go to unknown (never to alarm) while lost")
    func commLossInhibitsZones() {
        var tracker = StateTracker(config: config)
        var alarm = Inputs()
        alarm.di[0] = true
        _ = tracker.apply(good("io", at: 0, alarm))
        _ = tracker.apply(good("io2", at: 0))
        #expect(tracker.apply(failed("io", at: 1, failures: 1)).isEmpty)
        #expect(tracker.apply(failed("io", at: 2, failures: 2)).isEmpty)
        #expect(tracker.zones["NO"] == .alarm, "failures before the loss keep the last state")

        let lost = tracker.apply(failed("io", at: 3, failures: 3, transition: .lost))
        // The one reportable change is the comm loss; the zones only drop to unknown, so the engine
        // stops trusting their last reading (no alarm, no log line for them).
        let toUnknown = lost.dropFirst()
        #expect(toUnknown.count == 3)
        for change in toUnknown {
            guard case .zone(_, _, .unknown, _) = change else { Issue.record("unexpected change \(change)"); continue }
        }
        guard case .comm("io", "lan", .ok, .lost, let detail)? = lost.first else {
            Issue.record("expected one comm loss, got \(lost)")
            return
        }
        #expect(detail?.contains("timed out after 300 ms") == true)
        #expect(tracker.comm["io"] == .lost)
        for id in ["NO", "NC", "S1"] { #expect(tracker.zones[id] == .unknown, "zone \(id)") }
        #expect(tracker.sensors["slow"] == .unknown)
        #expect(tracker.equipment["ups"] == .unknown)
        #expect(tracker.zones["OTHER"] == .normal, "another device's zone is not touched")

        #expect(tracker.apply(failed("io", at: 4, failures: 4)).isEmpty)
        var other = Inputs()
        other.di[0] = true
        #expect(zoneChanges(tracker.apply(good("io2", at: 5, other))) == ["OTHER": .alarm])
    }

    @Test("when a lost device answers again, its zones are re-evaluated from that scan")
    func commRestoreReevaluates() {
        var tracker = StateTracker(config: config)
        _ = tracker.apply(good("io", at: 0))
        _ = tracker.apply(failed("io", at: 1, failures: 3, transition: .lost))
        var inputs = Inputs()
        inputs.di[1] = false  // NC zone opened during the outage
        let changes = tracker.apply(good("io", at: 2, inputs))
        #expect(changes.first == .comm(device: "io", bus: "lan", from: .lost, to: .ok, detail: nil))
        #expect(zoneChanges(changes) == ["NO": .normal, "NC": .alarm, "S1": .normal])
        #expect(tracker.comm["io"] == .ok)
    }

    @Test("a device that never answered is lost after comm_loss_after failures")
    func neverAnsweredIsLost() {
        var tracker = StateTracker(config: config)
        #expect(tracker.apply(failed("io", at: 0, failures: 2)).isEmpty)
        let changes = tracker.apply(failed("io", at: 1, failures: 3))
        #expect(changes.count == 1)
        if case .comm(_, _, .unknown, .lost, _)? = changes.first {} else { Issue.record("got \(changes)") }
    }
}

/// A scan the bus worker marks as reading what its previous one read (`sameAsLast`).
private func same(_ device: String, at t: Double = 0, _ inputs: Inputs = Inputs()) -> DeviceScan {
    var s = good(device, at: t, inputs)
    s.sameAsLast = true
    return s
}

struct SameAsLastTrackerTests {
    let config: SiteConfig

    init() throws {
        config = try loadTestSite(["site.yaml": site, "test-io.yaml": profile])
    }

    @Test("a scan that reads what the last one read changes nothing, and the next one that differs is evaluated in full")
    func repeatsSkipped() throws {
        var tracker = StateTracker(config: config)
        _ = tracker.apply(good("io", at: 0))
        #expect(tracker.apply(same("io", at: 1)).isEmpty)
        var inputs = Inputs()
        inputs.di[0] = true
        let zone = try #require(config.zones.first { $0.id == "NO" })
        #expect(tracker.apply(good("io", at: 2, inputs)) == [.zone(zone, from: .normal, to: .alarm, value: "1")])
        #expect(tracker.apply(same("io", at: 3, inputs)).isEmpty)
        #expect(tracker.zones["NO"] == .alarm)
    }

    @Test("a running on-delay still completes on scans that read the same (the delay depends on their times)")
    func onDelayCompletesOnRepeats() {
        var tracker = StateTracker(config: config)
        var hot = Inputs()
        hot.temp = 45
        _ = tracker.apply(good("io", at: 0))
        #expect(sensorChanges(tracker.apply(good("io", at: 10, hot))).isEmpty)
        #expect(sensorChanges(tracker.apply(same("io", at: 69, hot))).isEmpty)
        #expect(sensorChanges(tracker.apply(same("io", at: 70, hot))) == [.high])
    }

    @Test("after a comm loss the first good scan is evaluated, even when marked as the same")
    func afterCommLoss() {
        var tracker = StateTracker(config: config)
        var inputs = Inputs()
        inputs.di[0] = true
        _ = tracker.apply(good("io", at: 0, inputs))
        _ = tracker.apply(failed("io", at: 1, failures: 3, transition: .lost))
        #expect(tracker.zones["NO"] == .unknown)
        _ = tracker.apply(same("io", at: 2, inputs))
        #expect(tracker.zones["NO"] == .alarm)
    }
}
