import Foundation
import Logging
import SiteConfig

/// The demo's central station: a local Mosquitto on a free loopback port, when it is installed,
/// so a newcomer sees the uplink forward the site (`mosquitto_sub` prints what the centre gets).
struct DemoBroker {
    static let prefix = "watchroom/demo"
    let port: Int
    private let process: Process

    /// The uplink the demo's daemon forwards to this broker with.
    var uplink: MQTTUplink { MQTTUplink(host: "127.0.0.1", port: port, clientID: "watchroom-demo", topicPrefix: Self.prefix) }

    /// Starts one, or says how to get one and returns nil.
    static func start(stateDir: String, logger: Logger) -> DemoBroker? {
        guard let executable = ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"]
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            logger.notice("uplink: not shown (no mosquitto here); install it with `sudo apt-get install mosquitto mosquitto-clients` and run the demo again to watch the site forwarded to a central broker")
            return nil
        }
        do {
            let port = try freeLoopbackPort()
            let conf = URL(fileURLWithPath: stateDir).appendingPathComponent("mosquitto.conf").path
            try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n"
                .write(toFile: conf, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = ["-c", conf]
            try p.run()
            logger.notice("uplink: a local broker on 127.0.0.1:\(port); watch what the centre gets with: mosquitto_sub -h 127.0.0.1 -p \(port) -t '\(prefix)/#' -v")
            return DemoBroker(port: port, process: p)
        } catch {
            logger.warning("uplink: the demo's local broker did not start: \(error)")
            return nil
        }
    }

    /// SIGKILL (it keeps nothing): the broker inherits the demo's signal mask, where SIGTERM and
    /// SIGINT are blocked for the daemon's own handling, so it would never see a SIGTERM. Polled:
    /// Foundation's `waitUntilExit` spun a core here.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { usleep(10_000) }
    }

    private static func freeLoopbackPort() throws -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
