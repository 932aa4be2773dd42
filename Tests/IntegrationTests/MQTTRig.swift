import Foundation
import Synchronization
import Testing

/// A real Mosquitto broker (Debian's `mosquitto`) on a free loopback port, with its own config
/// in a temp folder; stopped and started again on the same port for an outage.
final class MosquittoBroker: Sendable {
    static let executable = "/usr/sbin/mosquitto"
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: executable) }
    let port: Int
    let config: String
    private let running = LockedBox<ChildProcess?>(nil)

    init(dir: URL) throws {
        port = try freePort()
        config = dir.appendingPathComponent("mosquitto.conf").path
        // No persistence: a restarted broker has forgotten every retained message (the uplink must republish).
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\nlog_type all\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
    }

    func start() async throws {
        let p = try ChildProcess(Self.executable, ["-c", config])
        running.set(p)
        #expect(await p.waitForLine { $0.contains("running") } != nil, "mosquitto did not start: \(p.output)")
    }

    func stop() async { await running.get()?.stopAndWait() }
    func stopInBackground() { running.get()?.stopInBackground() }
}

/// What the centre sees: `mosquitto_sub` on `PREFIX/#` at QoS 1, every message as `retained TAB topic TAB payload`.
final class CentreSubscriber: Sendable {
    struct Message: Sendable {
        let retained: Bool
        let topic: String
        let payload: String
    }
    let process: ChildProcess

    /// Returns once the subscription is in place: a probe published on `probe` (a topic the
    /// pattern matches) came back. Without a probe, returns once it runs (retained messages come at once).
    init(port: Int, topics: String, probe: String? = nil) async throws {
        process = try ChildProcess("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(port)", "-t", topics, "-q", "1",
                                                              "-F", "%r\t%t\t%p"])
        guard let probe else { return }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && !process.output.contains(where: { $0.contains(probe) }) {
            _ = try await runToExit("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(port)", "-t", probe, "-m", "probe"])
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(process.output.contains { $0.contains(probe) }, "mosquitto_sub did not subscribe: \(process.output)")
    }

    var messages: [Message] {
        process.output.compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "0" || parts[0] == "1" else { return nil }
            return Message(retained: parts[0] == "1", topic: String(parts[1]), payload: String(parts[2]))
        }
    }

    /// The seq of every message on `PREFIX/events`, in arrival order.
    func eventSeqs(prefix: String) -> [Int64] {
        messages.filter { $0.topic == "\(prefix)/events" }.compactMap { m in
            (try? JSONSerialization.jsonObject(with: Data(m.payload.utf8)) as? [String: Any])?["seq"].flatMap { ($0 as? NSNumber)?.int64Value }
        }
    }

    /// The last payload of each `PREFIX/alarms/ID` topic, by alarm id.
    func alarmStates(prefix: String) -> [Int: String] {
        var out: [Int: String] = [:]
        for m in messages where m.topic.hasPrefix("\(prefix)/alarms/") {
            if let id = Int(m.topic.dropFirst("\(prefix)/alarms/".count)) { out[id] = m.payload }
        }
        return out
    }

    func stopInBackground() { process.stopInBackground() }
}

final class LockedBox<T: Sendable>: Sendable {
    private let value: Mutex<T>
    init(_ v: T) { value = Mutex(v) }
    func get() -> T { value.withLock { $0 } }
    func set(_ v: T) { value.withLock { $0 = v } }
}
