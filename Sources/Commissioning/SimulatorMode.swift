import Foundation
import Logging
import Modbus
import Polling
public import SiteConfig
public import Simulator

/// `watchroomd simulate`: the site's devices as Modbus slaves, driven by a control socket and
/// an optional scenario.
public enum SimulatorMode {
    public struct Options: Sendable {
        public var serial: [String: String] = [:]
        public var ports: [String: Int] = [:]
        public var controlSocket: String?
        public var scenario: String?
        public init() {}
    }

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts the servers and the control socket; the caller keeps the result alive.
    public static func start(config: SiteConfig, options: Options) throws(StartError) -> SimulatorServer {
        let site: SimulatedSite
        let server: SimulatorServer
        do {
            site = try SimulatedSite(config: config)
            for (bus, _) in options.serial where config.bus(bus)?.isRTU != true {
                throw StartError(description: "--serial \(bus)=...: '\(bus)' is not an RTU bus of this site")
            }
            server = try SimulatorServer(site: site, portOverride: options.ports, serialOverride: options.serial)
        } catch let e as StartError {
            throw e
        } catch {
            throw StartError(description: "cannot start the simulator: \(error)")
        }
        if let path = options.controlSocket {
            do {
                let control = try LineSocketServer(path: path)
                control.start { line in
                    do throws(SimulatorCommand.ParseError) {
                        guard let command = try SimulatorCommand.parse(line) else { return "ok" }
                        do throws(SimulatedSite.CommandError) { return try site.apply(command) } catch { return "error: \(error.message)" }
                    } catch {
                        return "error: \(error.message)"
                    }
                }
            } catch {
                throw StartError(description: "control socket: \(error)")
            }
        }
        return server
    }

    public static func describe(_ server: SimulatorServer) -> [String] {
        server.site.config.buses.map { bus in
            let units = server.site.config.devices(on: bus.id).map { "\($0.id)=\($0.unit)" }.joined(separator: ", ")
            return "simulating bus \(bus.id) on \(server.endpoints[bus.id]?.description ?? "?") (units: \(units))"
        }
    }
}
