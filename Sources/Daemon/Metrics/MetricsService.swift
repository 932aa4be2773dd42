import Alarms
import Foundation
import Hummingbird
import Journal
import Logging
import NIOCore
import ServiceLifecycle
import SiteConfig

/// `metrics: {listen: ...}`: `/metrics` (Prometheus text format 0.0.4) and `/healthz` on TCP, one
/// part of the generation's group. It follows the committed events (flood, alarm rate, last
/// checks) from the event bus, at its own pace. A listen address that cannot be bound is logged
/// and leaves the rest of the daemon running.
struct MetricsService: Service {
    let settings: MetricsSettings
    let metrics: SiteMetrics
    let alarms: AlarmService
    let healthy: @Sendable () async -> Bool
    /// The MQTT uplink, whose backlog and cursor a scrape reads (nil: none configured).
    var uplink: UplinkService? = nil
    let logger: Logger
    let now: @Sendable () -> Date

    func run() async {
        let activity = metrics.activity
        let feed = alarms.subscribe()
        await restore(activity)
        let scrape = MetricsScrape(metrics: metrics, alarms: alarms, activity: activity, uplink: uplink, now: now)
        // Not waited for: a feed waits for the next event without regard to cancellation and ends
        // when the bus finishes (the control API's stop, right after this part's), so waiting for
        // it here would hold up the whole shutdown.
        let logger = logger
        Task {
            do { for try await e in feed { activity.observe(e) } } catch {
                logger.error("metrics: the event feed ended: \(error)")
            }
        }
        await serve(scrape)
    }

    /// What the run before left: the last self-test and equipment check (a week back), and the
    /// last 10 minutes of alarms for the flood window. Not counted again in the counters.
    private func restore(_ activity: AlarmActivity) async {
        let t = now()
        do {
            let checks = try await alarms.journal.reading {
                try $0.events(kinds: ["self-test-finished", "equipment-check"], from: t.addingTimeInterval(-8 * 86_400), to: t.addingTimeInterval(60))
            }
            for e in checks { activity.observe(e, counting: false) }
            let recent = try await alarms.journal.reading { try $0.events(kinds: ["raised", "reactivated"], from: t.addingTimeInterval(-600), to: t.addingTimeInterval(60)) }
            for e in recent { activity.observe(e, counting: false) }
            activity.restoreLastCompleteSelfTest(try await alarms.journal.reading { try $0.lastCompleteSelfTest() })
        } catch {
            logger.error("metrics: cannot read the last self-test and equipment check from the journal: \(error); they show 0 until the next one")
        }
    }

    private func serve(_ scrape: MetricsScrape) async {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            let body = await scrape.render()
            return Response(status: .ok, headers: [.contentType: MetricsScrape.contentType],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("healthz") { [healthy] _, _ -> Response in
            let ok = await healthy()
            return Response(status: ok ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: ok ? "ok\n" : "unhealthy: a bus worker or the alarm engine stopped making progress\n")))
        }
        let listen = settings.listen, logger = logger
        let app = Application(router: router, configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "watchroomd"),
                              onServerRunning: { _ in logger.notice("metrics on http://\(listen)/metrics") },
                              logger: Logger(label: "metrics"))
        do { try await app.run() } catch is CancellationError {} catch {
            logger.critical("metrics endpoint \(listen) stopped: \(error); check that nothing else listens there (metrics.listen)")
            // A part that returns stops the group: the daemon runs on without metrics until it stops.
            try? await gracefulShutdown()
        }
    }
}
