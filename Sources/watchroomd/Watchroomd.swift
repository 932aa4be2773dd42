import Access
import ArgumentParser
import Commissioning
import Daemon
import Foundation
import Logging
import Simulator
import SiteConfig
import UnixSignals

@main
struct Watchroomd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchroomd",
        abstract: "Watchroom: the monitoring room's alarm daemon (Modbus zones, sensors, equipment).",
        subcommands: [Run.self, CheckConfig.self, InstallUnits.self, Simulate.self, Demo.self, HashPassword.self]
    )
}

func bootstrapLogging(verbose: Bool = false) {
    LoggingSystem.bootstrap { label in
        var h = ConsoleLogHandler(label: label)
        h.logLevel = verbose ? .debug : .info
        return h
    }
}

func loadOrExit(_ file: String) throws -> SiteConfig {
    do { return try ConfigCheck.load(file: file) } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Poll the site and log every change (systemd runs this).")
    @Option(name: .long, help: "The site config file.") var config: String
    @Flag(name: .long, help: "Log debug detail.") var verbose = false

    func run() async throws {
        // Before the config is read: the arenas and the mmap threshold hold for everything it allocates.
        HeapTrim.configure()
        bootstrapLogging(verbose: verbose)
        let site = try loadOrExit(config)
        let code = await RunMode.run(config: site, logger: Logger(label: "watchroomd"))
        throw ExitCode(code)
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a site config: exit 0 with a summary, or 2 with file:line:column messages.")
    @Argument(help: "The site config file.") var file: String
    @Flag(name: .long, help: "Also print the request plan per bus and device.") var plan = false
    @Flag(name: .long, help: "Do not check the control group and notify secrets on this machine (a config for another host).")
    var skipHostChecks = false

    func run() throws {
        let report = ConfigCheck.run(file: file, showPlan: plan, checkHost: !skipHostChecks)
        if !report.warnings.isEmpty { FileHandle.standardError.write(Data((report.warnings + "\n").utf8)) }
        if report.exitCode == 0 { print(report.output) } else {
            FileHandle.standardError.write(Data((report.output + "\n").utf8))
        }
        throw ExitCode(report.exitCode)
    }
}

struct InstallUnits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-units",
        abstract: "Write the scheduled-check timers at the site's local time (make install runs it).",
        discussion: """
            Writes watchroom-zone-selftest.timer (19:00) and watchroom-equipment-check.timer (09:00) with
            OnCalendar in the config's site.timezone, so they fire at site time on a host in any zone.
            Run it again after changing site.timezone, then systemctl daemon-reload.
            """)
    @Option(name: .long, help: "The site config file.") var config: String
    @Option(name: .long, help: "Where to write the timers.") var dir = "/etc/systemd/system"

    func run() throws {
        let site = try loadOrExit(config)
        for t in SiteTimers.timers {
            let path = URL(fileURLWithPath: dir).appendingPathComponent(t.file).path
            do {
                try SiteTimers.render(t, timezone: site.timezone).write(toFile: path, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            } catch {
                FileHandle.standardError.write(Data("watchroomd: cannot write \(path): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
            print("wrote \(path): \(t.at) \(site.timezone)")
        }
    }
}

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the site's devices as Modbus slaves (commissioning and tests).",
        discussion: """
            TCP buses listen on their configured host and port; RTU buses open their configured
            serial device unless --serial BUS=PATH names another (a pty from socat, say).
            Drive the simulated devices through --control (one command per line, e.g.
            `echo "zone Z01 alarm" | socat - UNIX-CONNECT:sim.sock`) or a --scenario file.
            Commands: zone ZONE normal|alarm|tamper|fault, sensor ID VALUE, equipment ID normal|alarm,
            set DEVICE.POINT[I] VALUE, get DEVICE.POINT[I], silence DEVICE, exception DEVICE CODE, answer DEVICE.
            """)
    @Option(name: .long, help: "The site config file.") var config: String
    @Option(name: .long, help: "Serve an RTU bus on this device: BUS=PATH (repeatable).") var serial: [String] = []
    @Option(name: .long, help: "Serve a TCP bus on this port: BUS=PORT, 0 for any (repeatable).") var port: [String] = []
    @Option(name: .long, help: "Unix socket for live commands.") var control: String?
    @Option(name: .long, help: "A scenario file to play.") var scenario: String?

    func run() async throws {
        bootstrapLogging()
        let logger = Logger(label: "simulate")
        let site = try loadOrExit(config)
        ConsoleLogHandler.useSiteTime(site.timezone)
        var options = SimulatorMode.Options()
        for s in serial {
            let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--serial takes BUS=PATH, not '\(s)'") }
            options.serial[parts[0]] = parts[1]
        }
        for p in port {
            let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let n = Int(parts[1]) else { throw ValidationError("--port takes BUS=PORT, not '\(p)'") }
            options.ports[parts[0]] = n
        }
        options.controlSocket = control
        let server: SimulatorServer
        do throws(SimulatorMode.StartError) { server = try SimulatorMode.start(config: site, options: options) } catch {
            logger.error("\(error.description)")
            throw ExitCode(1)
        }
        for line in SimulatorMode.describe(server) { logger.info("\(line)") }
        if let control { logger.info("control socket \(control)") }
        var play: Task<Void, Never>?
        if let scenario {
            let text = try String(contentsOfFile: scenario, encoding: .utf8)
            let runner: ScenarioRunner
            do throws(SimulatedSite.CommandError) { runner = try ScenarioRunner(text: text, file: scenario) } catch {
                logger.error("\(error.message)")
                throw ExitCode(2)
            }
            play = Task { _ = await runner.run(on: server.site, narrate: { logger.notice("▶ \($0)") }) }
        }
        for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
        play?.cancel()
        server.stop()
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the simulator and the daemon together on loopback with a scripted scenario (no root, no hardware).")
    @Option(name: .long, help: "The demo site config.") var config = "devices/sites/demo.yaml"
    @Option(name: .long, help: "The scenario to play.") var scenario = "devices/sites/demo.scenario"
    @Option(name: .long, help: "State directory (default: the config's state_dir).") var stateDir: String?
    @Flag(name: .long, help: "Keep polling after the scenario until Ctrl-C.") var keepRunning = false

    func run() async throws {
        bootstrapLogging()
        var options = DemoMode.Options(config: config, scenario: scenario)
        options.stateDir = stateDir
        options.keepRunning = keepRunning
        do {
            throw ExitCode(try await DemoMode.run(options, logger: Logger(label: "demo")))
        } catch let e as ConfigError {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            throw ExitCode(2)
        }
    }
}
