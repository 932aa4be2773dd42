public import Alarms
import Foundation
public import SiteConfig

/// Which footage an alarm must keep: when a zone with cameras raises an alarm, each camera's
/// recorders hold a window around it (default 5 min before to 15 after) for the hold time
/// (default 90 days); a reset (the incident closed with its note) restarts the hold time.
public struct HoldPlanner: Sendable {
    public let config: SiteConfig
    /// Zones with cameras, and the recorders of each camera: looked up once, not per event (this runs on every commit).
    private let zonesWithCameras: [String: Zone]
    private let recordersByCamera: [String: [Recorder]]

    public init(config: SiteConfig) {
        self.config = config
        zonesWithCameras = Dictionary(config.zones.filter { !$0.cameras.isEmpty }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        recordersByCamera = Dictionary(grouping: config.recorders.flatMap { r in r.cameras.map { ($0, r) } }, by: \.0).mapValues { $0.map(\.1) }
    }

    public func plan(_ events: [AlarmEvent]) -> [HoldChange] {
        let d = config.duty
        let keep = TimeInterval(d.holdDays) * 86400
        var out: [HoldChange] = []
        for e in events {
            guard let alarm = e.alarm, alarm.source.kind == .zone, let zone = zonesWithCameras[alarm.source.id] else { continue }
            switch e.kind {
            case .raised, .reactivated:
                for camera in zone.cameras {
                    for r in recordersByCamera[camera] ?? [] {
                        out.append(.add(RetentionHold(
                            recorder: r.id, camera: camera,
                            from: e.time.addingTimeInterval(-TimeInterval(d.holdBeforeSeconds)),
                            to: e.time.addingTimeInterval(TimeInterval(d.holdAfterSeconds)),
                            until: e.time.addingTimeInterval(keep),
                            reason: "alarm #\(alarm.id) \(zone.id) \(zone.name) \(alarm.condition.rawValue)",
                            alarmId: alarm.id, createdAt: e.time)))
                    }
                }
            case .reset, .cleared:
                out.append(.extend(alarmId: alarm.id, until: e.time.addingTimeInterval(keep)))
            default:
                break
            }
        }
        return out
    }
}
