/// One MQTT application message, as published or received.
public struct MQTTMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    /// 0 (at most once) or 1 (at least once, confirmed by the broker's PUBACK).
    public var qos: Int
    /// The broker keeps the last retained message of a topic for every later subscriber.
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    public init(topic: String, text: String, qos: Int = 1, retain: Bool = false) {
        self.init(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain)
    }

    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// What the client's network thread reports, in the order libmosquitto saw it.
public enum MQTTEvent: Sendable {
    /// The broker accepted the connection (CONNACK 0).
    case connected
    /// The broker answered CONNACK with a refusal (bad credentials, client id not allowed...).
    case refused(String)
    /// The connection ended; `reason` nil when this client asked for it.
    case disconnected(reason: String?)
    /// The broker confirmed a QoS 1 publish (PUBACK), or a QoS 0 one left the socket.
    case published(mid: Int32)
    /// A message on a subscribed topic.
    case message(MQTTMessage)
}

/// A libmosquitto call that failed, with what it was doing and libmosquitto's words.
public struct MQTTError: Error, CustomStringConvertible, Sendable {
    public let doing: String
    public let code: Int32
    public let message: String
    public var description: String { "MQTT \(doing): \(message)" }
}
