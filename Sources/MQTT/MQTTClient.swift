internal import CMosquitto
import Foundation
import Synchronization

/// How to reach a broker and who to be there.
public struct MQTTOptions: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var clientID: String
    public var keepaliveSeconds: Int = 30
    public var username: String?
    /// Never logged: `description` leaves it out.
    public var password: String?
    /// Turns TLS on, verifying the broker against these CA certificates (PEM).
    public var caFile: String?
    /// What the broker publishes for this client when it loses it uncleanly (kill -9, a network split).
    public var will: MQTTMessage?
    /// QoS 1 publishes on the wire at once; more wait in libmosquitto's queue.
    public var maxInflight: Int = 100

    public init(host: String, port: Int, clientID: String) {
        self.host = host
        self.port = port
        self.clientID = clientID
    }

    public var description: String {
        "mqtt\(caFile == nil ? "" : "s")://\(username.map { "\($0)@" } ?? "")\(host):\(port) as \(clientID)"
    }
}

/// One connection to an MQTT broker through libmosquitto, its network loop on libmosquitto's own
/// thread (`mosquitto_loop_start`); what happens there comes back through `onEvent`, on that thread.
///
/// `@unchecked Sendable`: the handle is created and destroyed here; between, every call is one of
/// libmosquitto's thread-safe ones (publish, subscribe, disconnect) while its loop thread runs.
/// One client, one connection: after a disconnect the owner makes a new client (libmosquitto's
/// own reconnect would resend its queue behind the owner's back).
public final class MQTTClient: @unchecked Sendable {
    private let handle: OpaquePointer
    private let context: Context
    private let options: MQTTOptions
    private let looping = Mutex(false)

    /// What the C callbacks reach through the userdata pointer; retained by the client until
    /// its loop thread has stopped, so no callback can outlive it.
    final class Context: Sendable {
        let onEvent: @Sendable (MQTTEvent) -> Void
        let stopping = Atomic<Bool>(false)
        init(onEvent: @escaping @Sendable (MQTTEvent) -> Void) { self.onEvent = onEvent }
    }

    private static let library: Void = { _ = mosquitto_lib_init() }()

    /// What `top -H` and perf show for libmosquitto's network thread.
    static let threadName = "mqtt-net"

    public init(options: MQTTOptions, onEvent: @escaping @Sendable (MQTTEvent) -> Void) throws {
        Self.library
        self.options = options
        context = Context(onEvent: onEvent)
        guard let h = mosquitto_new(options.clientID, true, Unmanaged.passUnretained(context).toOpaque()) else {
            throw MQTTError(doing: "creating client \(options.clientID)", code: errno, message: String(cString: strerror(errno)))
        }
        handle = h
        do {
            _ = mosquitto_int_option(h, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311)
            try check(mosquitto_max_inflight_messages_set(h, UInt32(max(1, options.maxInflight))), "setting the in-flight window")
            if let will = options.will {
                try will.payload.withUnsafeBytes { bytes in
                    try check(mosquitto_will_set(h, will.topic, Int32(bytes.count), bytes.baseAddress, Int32(will.qos), will.retain),
                              "setting the last will on \(will.topic)")
                }
            }
            if options.username != nil || options.password != nil {
                try check(mosquitto_username_pw_set(h, options.username, options.password), "setting the username and password")
            }
            if let ca = options.caFile {
                try check(mosquitto_tls_set(h, ca, nil, nil, nil, nil), "loading the CA file \(ca)")
            }
        } catch {
            mosquitto_destroy(h)
            throw error
        }
        mosquitto_connect_callback_set(h) { _, ud, rc in
            // The first thing libmosquitto's network thread runs of ours: it takes its name here
            // (it would otherwise show the name of whichever pool thread started it).
            _ = _watchroom_mqtt_thread_name(MQTTClient.threadName)
            let c = Unmanaged<Context>.fromOpaque(ud!).takeUnretainedValue()
            c.onEvent(rc == 0 ? .connected : .refused(String(cString: mosquitto_connack_string(rc))))
        }
        mosquitto_disconnect_callback_set(h) { _, ud, rc in
            _ = _watchroom_mqtt_thread_name(MQTTClient.threadName)
            let c = Unmanaged<Context>.fromOpaque(ud!).takeUnretainedValue()
            c.onEvent(.disconnected(reason: rc == 0 ? nil : String(cString: mosquitto_strerror(rc))))
        }
        mosquitto_publish_callback_set(h) { _, ud, mid in
            Unmanaged<Context>.fromOpaque(ud!).takeUnretainedValue().onEvent(.published(mid: mid))
        }
        mosquitto_message_callback_set(h) { _, ud, m in
            guard let m = m?.pointee else { return }
            let payload = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(m.payloadlen))) } ?? []
            let message = MQTTMessage(topic: String(cString: m.topic), payload: payload, qos: Int(m.qos), retain: m.retain)
            Unmanaged<Context>.fromOpaque(ud!).takeUnretainedValue().onEvent(.message(message))
        }
    }

    deinit {
        stopLoop(force: true)
        mosquitto_destroy(handle)
    }

    /// Resolves, opens the TCP (and TLS) connection and starts the network thread; `.connected`
    /// or `.refused` follows. Blocks on DNS and connect: call it off the cooperative pool.
    public func connect() throws {
        try check(mosquitto_connect_async(handle, options.host, Int32(options.port), Int32(options.keepaliveSeconds)),
                  "connecting to \(options.host):\(options.port)")
        try check(mosquitto_loop_start(handle), "starting the network thread")
        looping.withLock { $0 = true }
    }

    /// Queues a publish; returns its message id, which `.published(mid:)` names once the broker confirms it.
    @discardableResult
    public func publish(_ message: MQTTMessage) throws -> Int32 {
        var mid: Int32 = 0
        try message.payload.withUnsafeBytes { bytes in
            try check(mosquitto_publish(handle, &mid, message.topic, Int32(bytes.count), bytes.baseAddress, Int32(message.qos), message.retain),
                      "publishing on \(message.topic)")
        }
        return mid
    }

    public func subscribe(_ pattern: String, qos: Int = 1) throws {
        try check(mosquitto_subscribe(handle, nil, pattern, Int32(qos)), "subscribing to \(pattern)")
    }

    /// A clean DISCONNECT (the broker does not send the will), then the network thread stops.
    /// Blocks until that thread has exited: call it off the cooperative pool.
    public func disconnect() {
        _ = mosquitto_disconnect(handle)
        stopLoop(force: false)
    }

    private func stopLoop(force: Bool) {
        let was = looping.withLock { l in defer { l = false }; return l }
        if was { _ = mosquitto_loop_stop(handle, force) }
    }

    private func check(_ rc: Int32, _ doing: String) throws {
        guard rc != 0 else { return }
        // MOSQ_ERR_ERRNO: the reason is in errno (connection refused, no route...).
        let message = rc == 14 ? String(cString: strerror(errno)) : String(cString: mosquitto_strerror(rc))
        throw MQTTError(doing: doing, code: rc, message: message)
    }
}
