import Alarms
public import CoreMetrics
public import Foundation
import Notify
public import Polling
public import Prometheus
public import SiteConfig

/// One generation's metrics: a Prometheus registry and every handle on it, made at start from the
/// config (each device, bus, target, sensor, state and priority known then), so nothing on the poll
/// path builds labels or strings. Counters and histograms are recorded where things happen;
/// gauges are set from the daemon's own state at each scrape (`MetricsScrape`).
public final class SiteMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let config: SiteConfig
    private let busMeters: [String: BusMeters]
    let delivery: DeliveryMeters
    let commitDuration: CoreMetrics.Timer
    /// For the uplink (or any later part): a gauge the part sets itself; see `uplink`.
    public let uplink: UplinkMeters
    /// Flood window, alarm rate and last checks, followed from the committed events.
    let activity: AlarmActivity

    // Set at scrape time.
    let deviceUp: [(device: String, gauge: Prometheus.Gauge)]
    let alarms: [AlarmKey: Prometheus.Gauge]
    let shelved, chattering, stale: Prometheus.Gauge
    let recentAlarms, flood: Prometheus.Gauge
    let pending, oldestPendingAge, dead: [String: Prometheus.Gauge]
    /// The notification targets, in config order.
    let targets: [String]
    let journalStalled, journalHeld: Prometheus.Gauge
    let selfTestLast, selfTestLastComplete, selfTestFailed: Prometheus.Gauge
    let equipmentCheckLast, equipmentCheckFailed: Prometheus.Gauge
    let sensors: [(sensor: String, gauge: Prometheus.Gauge)]

    // Counted from the committed events (`MetricsService`).
    let raised: [Priority: Prometheus.Counter]
    let chatteringEvents, floods: Prometheus.Counter

    struct AlarmKey: Hashable { let state: AlarmState; let priority: Priority }
    /// The states an open alarm can be in (`normal` is closed: not counted).
    static let openStates: [AlarmState] = [.unacknowledged, .acknowledged, .returnedUnacknowledged, .awaitingReset]

    /// Modbus replies take milliseconds; a timeout is the bus's `timeout_ms` (up to seconds).
    static let requestBuckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                             .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                             .milliseconds(2500), .seconds(5)]
    static let cycleBuckets: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                           .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)]
    static let commitBuckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5)]

    public init(config: SiteConfig, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.config = config
        self.registry = registry
        let r = registry
        // swift-metrics handles over the registry's own (which carry the HELP text promtool asks for).
        let factory = PrometheusMetricsFactory(registry: r)
        func counter(_ name: String, _ labels: [(String, String)], _ help: String) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: name, dimensions: labels, handler: r.makeCounter(name: name, labels: labels, help: help), factory: factory)
        }
        func timer(_ name: String, _ labels: [(String, String)], _ buckets: [Duration], _ help: String) -> CoreMetrics.Timer {
            CoreMetrics.Timer(label: name, dimensions: labels,
                              handler: r.makeDurationHistogram(name: name, labels: labels, buckets: buckets, help: help), factory: factory)
        }

        var buses: [String: BusMeters] = [:]
        for bus in config.buses {
            var devices: [String: BusMeters.DeviceMeters] = [:]
            for d in config.devices(on: bus.id) {
                devices[d.id] = BusMeters.DeviceMeters(
                    duration: timer("watchroom_modbus_request_duration_seconds", [("device", d.id)], Self.requestBuckets,
                                    "Time of one Modbus request, from sending it to its reply, timeout or error."),
                    results: RequestResult.allCases.map {
                        counter("watchroom_modbus_requests_total", [("device", d.id), ("result", $0.label)],
                                "Modbus requests by outcome: ok, timeout, exception, invalid_data, refused, other.")
                    })
            }
            buses[bus.id] = BusMeters(
                cycle: timer("watchroom_bus_cycle_duration_seconds", [("bus", bus.id)], Self.cycleBuckets,
                             "Time of one poll cycle over the bus's due devices."),
                overruns: counter("watchroom_bus_overruns_total", [("bus", bus.id)], "Poll cycles that took longer than the poll interval."),
                devices: devices)
        }
        busMeters = buses
        delivery = DeliveryMeters(targets: Dictionary(uniqueKeysWithValues: config.notify.map { t in
            (t.id, DeliveryMeters.Target(
                delivered: counter("watchroom_notification_deliveries_total", [("target", t.id)], "Notifications delivered to the target."),
                failed: counter("watchroom_notification_failures_total", [("target", t.id)],
                                "Notification attempts that did not deliver (retried or dead-lettered), per message.")))
        }))
        commitDuration = timer("watchroom_journal_commit_duration_seconds", [], Self.commitBuckets,
                               "Time of one journal transaction (a step's events, state, outbox rows and samples).")
        uplink = UplinkMeters(registry: r, factory: factory)

        deviceUp = config.devices.map { d in
            (d.id, r.makeGauge(name: "watchroom_device_up", labels: [("device", d.id), ("bus", d.bus)],
                               help: "1 while the device answers its polls; 0 once it is comm-lost or before it first answered."))
        }
        var alarms: [AlarmKey: Prometheus.Gauge] = [:]
        for state in Self.openStates {
            for p in Priority.allCases {
                alarms[AlarmKey(state: state, priority: p)] = r.makeGauge(
                    name: "watchroom_alarms", labels: [("state", state.rawValue), ("priority", p.rawValue)],
                    help: "Open alarms by ISA-18.2 state and priority.")
            }
        }
        self.alarms = alarms
        shelved = r.makeGauge(name: "watchroom_alarms_shelved", help: "Open alarms shelved by an operator.")
        chattering = r.makeGauge(name: "watchroom_alarms_chattering", help: "Open alarms marked chattering (3 activations within a minute).")
        stale = r.makeGauge(name: "watchroom_alarms_stale", help: "Open alarms raised more than 24 hours ago (ISA-18.2 stale).")
        recentAlarms = r.makeGauge(name: "watchroom_alarms_last_10m", help: "Alarms annunciated (raised or active again) in the last 10 minutes.")
        flood = r.makeGauge(name: "watchroom_alarm_flood",
                            help: "1 during an ISA-18.2 alarm flood: more than 10 alarms in 10 minutes, until a 10-minute window has fewer than 5.")
        func perTarget(_ name: String, _ help: String) -> [String: Prometheus.Gauge] {
            Dictionary(uniqueKeysWithValues: config.notify.map { ($0.id, r.makeGauge(name: name, labels: [("target", $0.id)], help: help)) })
        }
        targets = config.notify.map(\.id)
        pending = perTarget("watchroom_notification_pending", "Notifications waiting in the outbox for the target.")
        oldestPendingAge = perTarget("watchroom_notification_oldest_pending_age_seconds",
                                     "Age of the oldest notification waiting for the target; 0 when none waits.")
        dead = perTarget("watchroom_notification_dead", "Dead-lettered notifications of the target (watchroomctl notifications retry ID).")
        journalStalled = r.makeGauge(name: "watchroom_journal_stalled",
                                     help: "1 while the journal cannot be written (alarms go on in memory; operator commands are refused).")
        journalHeld = r.makeGauge(name: "watchroom_journal_held_events", help: "Events held in memory until the journal can be written.")
        selfTestLast = r.makeGauge(name: "watchroom_self_test_last_timestamp_seconds", help: "When the last zone self-test run finished (0: none).")
        selfTestLastComplete = r.makeGauge(name: "watchroom_self_test_last_complete_timestamp_seconds",
                                           help: "When the last complete zone self-test finished (0: none recorded).")
        selfTestFailed = r.makeGauge(name: "watchroom_self_test_last_failed_zones", help: "Zones that failed in the last self-test run.")
        equipmentCheckLast = r.makeGauge(name: "watchroom_equipment_check_last_timestamp_seconds",
                                         help: "When the last equipment check was made (0: none).")
        equipmentCheckFailed = r.makeGauge(name: "watchroom_equipment_check_last_failed_items", help: "Items that failed in the last equipment check.")
        sensors = config.sensors.map { s in
            let unit = config.point(s.input)?.unit ?? ""
            return (s.id, r.makeGauge(name: "watchroom_sensor_value", labels: [("sensor", s.id), ("unit", unit)],
                                      help: "The sensor's last good reading, in the unit of its profile point."))
        }

        raised = Dictionary(uniqueKeysWithValues: Priority.allCases.map { p in
            (p, r.makeCounter(name: "watchroom_alarms_raised_total", labels: [("priority", p.rawValue)],
                              help: "Alarms annunciated (raised, or active again while open), by priority: the ISA-18.2 alarm rate."))
        })
        chatteringEvents = r.makeCounter(name: "watchroom_alarm_chattering_total", help: "Alarms that became chattering.")
        floods = r.makeCounter(name: "watchroom_alarm_floods_total", help: "ISA-18.2 alarm floods started.")
        activity = AlarmActivity(counters: .init(raised: raised, chattering: chatteringEvents, floods: floods))
    }

    /// One scrape in the text format: the gauges set from `alarms` as it is now, then every metric.
    public func scrape(_ alarms: AlarmService, now: @escaping @Sendable () -> Date = { Date() }) async -> [UInt8] {
        await MetricsScrape(metrics: self, alarms: alarms, activity: activity, now: now).render()
    }

    /// A bus's handles for its worker (no-op ones for a bus the config did not have).
    public func meters(for bus: Bus) -> BusMeters { busMeters[bus.id] ?? .unrecorded }
}

/// What the uplink publishes through the metrics (it sets them itself, as it forwards):
/// `watchroom_uplink_backlog_events`, `watchroom_uplink_last_confirmed_seq`, `watchroom_uplink_connected`.
/// swift-metrics `Meter`s (`set(_:)`): the uplink needs only CoreMetrics, not Prometheus.
public struct UplinkMeters: Sendable {
    /// Journal events not yet confirmed by the broker.
    public let backlog: CoreMetrics.Meter
    /// The seq of the last event the broker confirmed (PUBACK).
    public let lastConfirmedSeq: CoreMetrics.Meter
    /// 1 while connected to the broker.
    public let connected: CoreMetrics.Meter

    init(registry r: PrometheusCollectorRegistry, factory: PrometheusMetricsFactory) {
        func gauge(_ name: String, _ help: String) -> CoreMetrics.Meter {
            CoreMetrics.Meter(label: name, dimensions: [], handler: r.makeGauge(name: name, help: help), factory: factory)
        }
        backlog = gauge("watchroom_uplink_backlog_events", "Journal events the central broker has not confirmed yet.")
        lastConfirmedSeq = gauge("watchroom_uplink_last_confirmed_seq", "Journal seq of the last event the central broker confirmed.")
        connected = gauge("watchroom_uplink_connected", "1 while the uplink is connected to the central broker.")
    }
}
