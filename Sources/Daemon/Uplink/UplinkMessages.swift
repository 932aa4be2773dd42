import Alarms
import Journal
import MQTT

/// What the uplink publishes, as topics and payloads (DESIGN.md section 6): `PREFIX/status`,
/// `PREFIX/events`, `PREFIX/alarms/ID`.
struct UplinkMessages: Sendable {
    let prefix: String
    let qos: Int

    var statusTopic: String { "\(prefix)/status" }
    var eventsTopic: String { "\(prefix)/events" }
    func alarmTopic(_ id: Int) -> String { "\(prefix)/alarms/\(id)" }

    /// Retained, so a centre that subscribes later knows at once; the will is the same topic.
    func status(online: Bool) -> MQTTMessage {
        MQTTMessage(topic: statusTopic, text: online ? "online" : "offline", qos: 1, retain: true)
    }

    /// The event as JSON carrying its seq (the centre drops a repeat by it), then, for an alarm
    /// event, the alarm's retained state: its JSON while open, empty (the broker forgets the
    /// topic) once it is closed. Written by JournalJSON in the uplink's style (the JSON a JSONEncoder
    /// with ISO 8601 dates, sorted keys and slashes unescaped wrote; 5,000 per storm).
    func messages(for event: AlarmEvent) throws -> [MQTTMessage] {
        var out = [MQTTMessage(topic: eventsTopic, payload: try JournalJSON.event(event, style: .uplink), qos: qos)]
        if let alarm = event.alarm { out.append(try state(of: alarm)) }
        return out
    }

    func state(of alarm: Alarm) throws -> MQTTMessage {
        MQTTMessage(topic: alarmTopic(alarm.id), payload: alarm.isOpen ? try JournalJSON.alarm(alarm, style: .uplink) : [], qos: qos, retain: true)
    }
}
