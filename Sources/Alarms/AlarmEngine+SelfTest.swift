public import Foundation
import SiteConfig

extension AlarmEngine {
    /// Starts a self-test of `zones` (all perimeter and entry/exit zones when empty). Zones with a
    /// test output get an active test (the relay opens the loop); the rest get a walk test. A
    /// zone in tamper or fault, or on a comm-lost device, fails at once with that reason.
    public mutating func startSelfTest(zones requested: [String], user: String, at now: Date) throws(CommandRefusal) -> EngineOutput {
        guard selfTest == nil || selfTest?.finishedAt != nil else {
            throw CommandRefusal(.illegalTransition, "a self-test is already running (run \(selfTest!.id), started \(stamp(selfTest!.startedAt)) by \(selfTest!.startedBy))")
        }
        let perimeter = config.zones.filter { $0.type.needsArming }.map(\.id)
        for z in requested where !config.zones.contains(where: { $0.id == z }) {
            throw CommandRefusal(.notFound, "no zone '\(z)'; zones: \(config.zones.map(\.id).joined(separator: ", "))")
        }
        let ids = requested.isEmpty ? perimeter : requested
        guard !ids.isEmpty else { throw CommandRefusal(.invalid, "no zones to test: the site has no perimeter zones") }
        var out = EngineOutput()
        var run = SelfTestRun(id: (selfTest?.id ?? 0) + 1, startedAt: now, startedBy: user,
                              complete: Set(perimeter).isSubset(of: Set(ids)), zones: [:])
        out.events.append(AlarmEvent(kind: .selfTestStarted, time: now, user: user,
                                     text: "run \(run.id): \(ids.count) zone\(ids.count == 1 ? "" : "s") (\(ids.joined(separator: ", ")))"))
        for id in ids {
            let zone = config.zone(id: id)!
            let condition = zoneConditions[id] ?? .unknown
            var test = ZoneTest(zone: id, mode: zone.test == nil ? .walk : .active, phase: .awaitingTrip, deadline: now)
            switch condition {
            case .tamper, .fault:
                test.phase = .failed
                test.reason = "zone in \(condition.rawValue)"
            case .unknown:
                test.phase = .failed
                test.reason = "no reading: device \(zone.input.device) comm-lost or not yet polled"
            case .alarm:
                test.phase = .failed
                test.reason = "zone already in alarm before the test"
            case .normal:
                if zoneControl[id]?.outOfService == true {
                    test.phase = .failed
                    test.reason = "zone out of service"
                } else if let output = zone.test {
                    test.phase = .awaitingAlarm
                    test.deadline = now.addingTimeInterval(selfTestSettings.timeout)
                    out.writes.append(PointWrite(ref: output, value: true))
                } else {
                    test.phase = .awaitingTrip
                    test.deadline = now.addingTimeInterval(selfTestSettings.walkWindow)
                }
            }
            run.zones[id] = test
            if test.phase == .failed { out.events.append(result(test, now: now)) }
        }
        selfTest = run
        finishIfDone(now: now, into: &out)
        return out
    }

    /// Whether a zone's input changes go to the self-test instead of raising alarms.
    func isUnderTest(_ zone: String) -> Bool {
        guard let run = selfTest, run.finishedAt == nil, let t = run.zones[zone] else { return false }
        return !t.finished
    }

    /// A condition change of a zone under test: journaled as test activity, never as an intrusion.
    mutating func testCondition(_ zone: Zone, _ condition: ZoneCondition, now: Date, into out: inout EngineOutput) {
        guard var run = selfTest, var t = run.zones[zone.id] else { return }
        out.events.append(AlarmEvent(kind: .testActivity, time: now, zone: zone.id, text: "\(condition.rawValue) during self-test (\(t.mode.rawValue))"))
        switch (t.phase, condition) {
        case (.awaitingAlarm, .alarm):
            t.phase = .awaitingRestore
            t.deadline = now.addingTimeInterval(selfTestSettings.timeout)
            if let output = zone.test { out.writes.append(PointWrite(ref: output, value: false)) }
        case (.awaitingRestore, .normal), (.awaitingWalkRestore, .normal):
            t.phase = .passed
        case (.awaitingTrip, .alarm):
            t.phase = .awaitingWalkRestore
        case (_, .tamper), (_, .fault):
            t.phase = .failed
            t.reason = "zone reported \(condition.rawValue) during the test"
            if t.mode == .active, let output = zone.test { out.writes.append(PointWrite(ref: output, value: false)) }
        default:
            break
        }
        run.zones[zone.id] = t
        selfTest = run
        if t.finished { out.events.append(result(t, now: now)) }
        finishIfDone(now: now, into: &out)
    }

    /// Deadlines: an active test that saw no alarm (or no restore) in time fails; the walk window closes.
    mutating func selfTestTick(now: Date, into out: inout EngineOutput) {
        if var run = selfTest, run.finishedAt == nil {
            for (id, var t) in run.zones.sorted(by: { $0.key < $1.key }) where !t.finished && now >= t.deadline {
                let zone = config.zone(id: id)
                switch t.phase {
                case .awaitingAlarm:
                    t.reason = "no alarm within \(Int(selfTestSettings.timeout)) s after the test output opened the loop"
                    if let output = zone?.test { out.writes.append(PointWrite(ref: output, value: false)) }
                case .awaitingRestore: t.reason = "did not restore within \(Int(selfTestSettings.timeout)) s after the test output was released"
                case .awaitingTrip: t.reason = "not tripped during the walk-test window"
                case .awaitingWalkRestore: t.reason = "tripped but did not restore before the walk-test window closed"
                default: break
                }
                t.phase = .failed
                run.zones[id] = t
                out.events.append(result(t, now: now))
            }
            selfTest = run
            finishIfDone(now: now, into: &out)
        }
        // No complete self-test recorded for 26 hours: the check itself has been missed (rule 3).
        let last = lastCompleteSelfTest ?? engineStart
        let missed = now.timeIntervalSince(last) >= selfTestSettings.missedAfter
        out.events += system("self-test", .selfTestMissed, name: "周界防区自检未执行 / zone self-test missed", active: missed,
                             detail: "no complete zone self-test since \(stamp(last))", at: now).events
    }

    private func result(_ t: ZoneTest, now: Date) -> AlarmEvent {
        AlarmEvent(kind: .selfTestResult, time: now, zone: t.zone,
                   text: t.phase == .passed ? "pass (\(t.mode.rawValue) test)" : "fail (\(t.mode.rawValue) test): \(t.reason ?? "?")")
    }

    private mutating func finishIfDone(now: Date, into out: inout EngineOutput) {
        guard var run = selfTest, run.finishedAt == nil, run.zones.values.allSatisfy(\.finished) else { return }
        run.finishedAt = now
        selfTest = run
        if run.complete { lastCompleteSelfTest = now }
        out.events.append(AlarmEvent(kind: .selfTestFinished, time: now, user: run.startedBy,
                                     text: "run \(run.id) (\(run.complete ? "complete" : "partial")): \(run.passed.count) passed, \(run.failed.count) failed\(run.failed.isEmpty ? "" : " (\(run.failed.joined(separator: ", ")))")"))
        // The zones tested go back to normal evaluation with their current condition.
        for id in run.zones.keys.sorted() {
            if let zone = config.zone(id: id), let c = zoneConditions[id], c != .normal {
                evaluateZoneAfterControl(zone, condition: c, now: now, into: &out)
            }
        }
    }
}
