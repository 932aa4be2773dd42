import TestClock
import Alarms
import Foundation
import Journal
import Notify
import SiteConfig
import Synchronization
import Testing

/// A channel that is not HTTP: the duty logbook printer of the monitoring room. It takes one line
/// per message, and may be out of paper. Nothing in delivery knows it; the registry does.
struct LogbookNotifier: Notifier {
    let printer: LogbookPrinter
    var name: String { "logbook" }
    var optionKeys: [String] { ["printer"] }
    /// No grouping, no rate: a printer takes what it gets.
    var pacing: NotifyPacing { NotifyPacing() }

    func problems(of target: NotifyTarget) -> [NotifyOptionProblem] {
        [missing("printer", in: target)].compactMap { $0 }
    }

    /// The logbook records alarms, not their acknowledgements.
    func wants(_ kind: Notify.Notification.Kind) -> Bool { kind != .acknowledged }

    func channel(for target: ResolvedTarget, policy: DeliveryPolicy) -> any NotifyChannel {
        LogbookChannel(printerName: target.target.options["printer"] ?? "", printer: printer)
    }
}

/// One printed line per message of a batch.
struct LogbookChannel: NotifyChannel {
    let printerName: String
    let printer: LogbookPrinter

    func render(_ entries: [OutboxEntry], now: Date) throws -> (message: [String], taken: Int) {
        (entries.map { "\(printerName): \($0.messageID) \($0.notification.title)" }, entries.count)
    }

    func send(_ lines: [String]) async throws(CancellationError) -> DeliveryOutcome { printer.print(lines) }
}

/// The printer: answers each print with the next scripted outcome (then `.delivered`), keeping what it printed.
final class LogbookPrinter: Sendable {
    private let script: Mutex<[DeliveryOutcome]>
    private let printed = Mutex<[[String]]>([])
    init(script: [DeliveryOutcome] = []) { self.script = Mutex(script) }

    var pages: [[String]] { printed.withLock { $0 } }

    func print(_ lines: [String]) -> DeliveryOutcome {
        let outcome = script.withLock { $0.isEmpty ? .delivered : $0.removeFirst() }
        if outcome == .delivered { printed.withLock { $0.append(lines) } }
        return outcome
    }
}

@Suite("A notifier that is not HTTP, through the real delivery service")
struct ChannelTests {
    @Test("the registry's own channel delivers from the outbox with the service's retries: no HTTP, no change to delivery")
    func logbookThroughDelivery() async throws {
        let printer = LogbookPrinter(script: [.retry("out of paper", after: nil)])
        let registry = NotifierRegistry.standard.adding(LogbookNotifier(printer: printer))
        let (loaded, d, _, _) = try loadWithRegistry(notify: """
            notify:
              - {id: desk, format: logbook, printer: night-desk}
            """, registry: registry)
        #expect(d.isEmpty, "\(d.map(\.description))")
        let config = try #require(loaded)
        #expect(config.notify.first?.options == ["printer": "night-desk"])

        let dir = try makeTempDir("logbook")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await openJournal(dir.appendingPathComponent("journal.sqlite").path)
        var rig = NotifyRig(config: config)
        let planner = NotificationPlanner(config: config, notifiers: registry)
        let clock = ManualClock()
        let hooks = HookCalls()
        hooks.clock.withLock { $0 = clock }
        let service = try DeliveryService(config: config, journal: journal, logger: captureLogger(LogStore()), onFailure: hooks.hook,
                                          clock: clock, notifiers: registry)
        let task = Task { await service.run() }
        defer { task.cancel() }

        let raised = try rig.trip("Z01", at: dayTime)
        let planned = planner.plan(raised)
        #expect(planned.map(\.target) == ["desk"])
        _ = try await journal.commit(raised, outbox: try outboxInserts(planned))
        service.nudge()

        let delivered = try await drive(clock) { try await outboxCount(journal, "delivered") == 1 }
        #expect(delivered, "the logbook message was not delivered")
        let rows = try await allOutbox(journal)
        #expect(rows.first?.attempts == 2, "out of paper once, then printed")
        #expect(printer.pages.count == 1)
        #expect(printer.pages.first?.first?.hasPrefix("night-desk: wr-\(rows.first?.id ?? 0) ") == true, "\(printer.pages)")
        #expect(printer.pages.first?.first?.contains("Z01") == true)
        #expect(hooks.all.allSatisfy { !$0.failing }, "\(hooks.all)")

        // The format says what it wants: an acknowledgement is not planned for the logbook.
        let ack = try rig.command(.acknowledge(alarm: try rig.alarmID("Z01"), user: "张伟"), at: dayTime.addingTimeInterval(5))
        #expect(!ack.isEmpty)
        #expect(planner.plan(ack).isEmpty)
    }

    @Test("a permanent answer from the channel dead-letters the message and reports the target failing")
    func permanentFromTheChannel() async throws {
        let printer = LogbookPrinter(script: [.permanent("printer removed")])
        let registry = NotifierRegistry.standard.adding(LogbookNotifier(printer: printer))
        let (loaded, _, _, _) = try loadWithRegistry(notify: "notify:\n  - {id: desk, format: logbook, printer: p}", registry: registry)
        let config = try #require(loaded)
        let dir = try makeTempDir("logbook-dead")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await openJournal(dir.appendingPathComponent("journal.sqlite").path)
        var rig = NotifyRig(config: config)
        let hooks = HookCalls()
        let service = try DeliveryService(config: config, journal: journal, logger: captureLogger(LogStore()), onFailure: hooks.hook,
                                          notifiers: registry)
        let task = Task { await service.run() }
        defer { task.cancel() }
        let raised = try rig.trip("Z01", at: dayTime)
        _ = try await journal.commit(raised, outbox: try outboxInserts(NotificationPlanner(config: config, notifiers: registry).plan(raised)))
        service.nudge()
        #expect(try await eventually { try await outboxCount(journal, "dead") == 1 })
        #expect(printer.pages.isEmpty)
        // Reported after the row is marked dead.
        let reported = await eventually { hooks.all.contains { $0.target == "desk" && $0.failing && $0.reason == "printer removed" } }
        #expect(reported, "\(hooks.all)")
    }

    @Test("delivery refuses a target whose format its registry lacks, in the words of the config check")
    func unknownFormatRefusedByDelivery() async throws {
        let registry = NotifierRegistry.standard.adding(LogbookNotifier(printer: LogbookPrinter()))
        let (loaded, _, _, _) = try loadWithRegistry(notify: "notify:\n  - {id: desk, format: logbook, printer: p}", registry: registry)
        let config = try #require(loaded)
        let dir = try makeTempDir("logbook-unknown")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await openJournal(dir.appendingPathComponent("journal.sqlite").path)
        do {
            _ = try DeliveryService(config: config, journal: journal, logger: captureLogger(LogStore())) { _, _, _ in }
            Issue.record("the standard registry has no logbook, and delivery started anyway")
        } catch {
            #expect("\(error)" == "notify target 'desk' has unknown format 'logbook'; use one of standard, alertmanager, wecom, dingtalk, feishu")
        }
    }
}
