import Alarms
import Daemon
import Foundation
public import Logging
import Modbus
import Polling
import ServiceLifecycle
import SiteConfig
import Simulator
import Synchronization
import UnixSignals

/// `watchroomd demo`: the simulator and the daemon in one process on loopback ports, a scripted
/// scenario driving the simulated site, and everything logged as in production.
public enum DemoMode {
    public struct Options: Sendable {
        public var config: String
        public var scenario: String
        public var stateDir: String?
        public var keepRunning = false
        public init(config: String, scenario: String) {
            self.config = config
            self.scenario = scenario
        }
    }

    public static func run(_ options: Options, logger: Logger) async throws -> Int32 {
        var overrides = LoadOverrides()
        if let dir = options.stateDir {
            overrides.stateDir = dir
            overrides.controlSocket = URL(fileURLWithPath: dir).appendingPathComponent("control.sock").path
        }
        let simulated = try ConfigCheck.load(file: options.config, overrides: overrides)
        // Every line the demo prints is stamped in site time, its first ones too.
        ConsoleLogHandler.useSiteTime(simulated.timezone)
        try FileManager.default.createDirectory(atPath: simulated.stateDir, withIntermediateDirectories: true)
        let scenarioText = try String(contentsOfFile: options.scenario, encoding: .utf8)
        let scenario = try ScenarioRunner(text: scenarioText, file: options.scenario)

        // Free loopback ports for every TCP bus, so the demo never collides with anything.
        var ports: [String: Int] = [:]
        for bus in simulated.buses { if case .tcp = bus.modbusLink { ports[bus.id] = 0 } }
        let server = try SimulatorMode.start(config: simulated, options: { var o = SimulatorMode.Options(); o.ports = ports; return o }())
        for cmd in scenario.prelude { _ = try? server.site.apply(cmd) }
        // The daemon loads the same file with the ports the simulator really listens on.
        for (bus, endpoint) in server.endpoints {
            if case .tcp(let host, let port) = endpoint { overrides.busSources[bus] = .modbus(.tcp(host: host, port: port)) }
        }
        let broker = DemoBroker.start(stateDir: simulated.stateDir, logger: logger)
        overrides.uplink = broker?.uplink
        defer { broker?.stop() }
        let config = try ConfigCheck.load(file: options.config, overrides: overrides)
        ConsoleLogHandler.useSiteTime(config.timezone)
        for line in SimulatorMode.describe(server) { logger.info("\(line)") }

        let daemon = try WatchroomDaemon(config: config, logger: logger)
        let parts = await daemon.serviceGroup()
        let polling = Task {
            do { try await parts.run() } catch { logger.critical("the daemon stopped: \(error)") }
        }
        let narrator = Logger(label: "scenario")
        let socket = config.controlSocket
        logger.notice("operators can join with: watchroomctl --socket \(socket) watch")
        if let board = config.board {
            logger.notice("alarm board: http://\(board.listen)/ (demo logins: zhangsan / demo-operator, wall / demo-wall for the wall display)")
        }
        let play = Task {
            await scenario.run(on: server.site, narrate: { narrator.notice("▶ \($0)") },
                               operatorStep: { await OperatorSteps.perform($0, socket: socket) })
        }
        let interrupted = Atomic<Bool>(false)
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let trap = Task {
            for await _ in signals {
                interrupted.store(true, ordering: .relaxed)
                play.cancel()
                return
            }
        }
        let finished = await play.value
        if finished && options.keepRunning {
            narrator.notice("▶ scenario finished; still polling, Ctrl-C to stop")
            await trap.value
        } else if finished {
            try? await Task.sleep(for: .seconds(2))
        } else {
            narrator.notice("▶ interrupted")
        }
        trap.cancel()
        await parts.triggerGracefulShutdown()
        await polling.value
        server.stop()
        return 0
    }
}
