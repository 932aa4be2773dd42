import Alarms
import Foundation
import MQTT

/// What the uplink publishes, as topics and payloads (DESIGN.md section 6): `PREFIX/status`,
/// `PREFIX/events`, `PREFIX/alarms/ID`.
struct UplinkMessages: Sendable {
    let prefix: String
    let qos: Int

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    var statusTopic: String { "\(prefix)/status" }
    var eventsTopic: String { "\(prefix)/events" }
    func alarmTopic(_ id: Int) -> String { "\(prefix)/alarms/\(id)" }

    /// Retained, so a centre that subscribes later knows at once; the will is the same topic.
    func status(online: Bool) -> MQTTMessage {
        MQTTMessage(topic: statusTopic, text: online ? "online" : "offline", qos: 1, retain: true)
    }

    /// The event as JSON carrying its seq (the centre drops a repeat by it), then, for an alarm
    /// event, the alarm's retained state: its JSON while open, empty (the broker forgets the
    /// topic) once it is closed.
    func messages(for event: AlarmEvent) throws -> [MQTTMessage] {
        var out = [MQTTMessage(topic: eventsTopic, payload: Array(try Self.encoder.encode(event)), qos: qos)]
        if let alarm = event.alarm { out.append(try state(of: alarm)) }
        return out
    }

    func state(of alarm: Alarm) throws -> MQTTMessage {
        MQTTMessage(topic: alarmTopic(alarm.id), payload: alarm.isOpen ? Array(try Self.encoder.encode(alarm)) : [], qos: qos, retain: true)
    }
}
