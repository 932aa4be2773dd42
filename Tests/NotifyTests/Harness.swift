import TestClock
import Alarms
import Foundation
import Journal
import Notify
import SiteConfig
import Synchronization
import Testing

/// A site with notify targets pointing at an in-test receiver, a real journal in a temporary
/// folder, the alarm engine and planner, and the delivery service.
final class Harness {
    let dir: URL
    let receiver: Receiver
    let config: SiteConfig
    var journal: Journal
    var rig: NotifyRig
    let logs = LogStore()
    let hooks = HookCalls()
    /// The delivery service's clock, when the test drives time; nil for real time.
    let clock: ManualClock?
    /// The delivery service's wall time (a test may step it).
    let wall = WallClock()
    private(set) var delivery: RunningDelivery?

    /// `notify` builds the `notify:` section from the receiver's base URL and the temporary folder (for secret files).
    init(zones: [TestZone] = standardZones, at start: Date = dayTime,
         handler: @escaping Receiver.Handler = { _ in .ok }, clock: ManualClock? = nil,
         notify: (_ base: String, _ dir: URL) throws -> String) async throws {
        dir = try makeTempDir("harness")
        self.clock = clock
        hooks.clock.withLock { $0 = clock }
        receiver = try await Receiver.start(handler, clock: clock)
        do {
            let yaml = siteYAML(zones: zones, notify: try notify(receiver.baseURL, dir), stateDir: dir.path)
            config = try loadSite(yaml, in: dir)
            journal = try await openJournal(dir.appendingPathComponent("journal.sqlite").path)
            rig = NotifyRig(config: config, at: start)
        } catch {
            await receiver.stop()
            throw error
        }
    }

    func startDelivery() throws {
        precondition(delivery == nil)
        delivery = try RunningDelivery.start(config: config, journal: journal, logs: logs, hooks: hooks, clock: clock, wall: wall)
    }

    func stopDelivery() async {
        await delivery?.stop()
        delivery = nil
    }

    /// Commits the events with their planned notifications (in one transaction) and nudges the service.
    @discardableResult
    func commit(_ events: [AlarmEvent]) async throws -> [(target: String, notification: Notify.Notification)] {
        let planned = try await commitPlanned(events, rig: rig, journal: journal)
        delivery?.service.nudge()
        return planned
    }

    /// Waits until no outbox row is pending (every row delivered or dead).
    func waitUntilSettled(timeout: Duration = .seconds(30)) async throws -> Bool {
        try await eventually(timeout: timeout) { [journal] in try await outboxCount(journal, "pending") == 0 }
    }

    func shutdown() async {
        await stopDelivery()
        await receiver.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// Runs `body` with a harness and always shuts it down.
func withHarness<T>(zones: [TestZone] = standardZones, at start: Date = dayTime,
                    handler: @escaping Receiver.Handler = { _ in .ok }, clock: ManualClock? = nil,
                    notify: (_ base: String, _ dir: URL) throws -> String,
                    _ body: (Harness) async throws -> T) async throws -> T {
    let h = try await Harness(zones: zones, at: start, handler: handler, clock: clock, notify: notify)
    do {
        let result = try await body(h)
        await h.shutdown()
        return result
    } catch {
        await h.shutdown()
        throw error
    }
}
