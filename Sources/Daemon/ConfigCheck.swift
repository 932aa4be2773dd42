import Foundation
public import Notify
import Polling
public import SiteConfig

/// `watchroomd check-config`: every mistake with its location, or a one-line summary.
public enum ConfigCheck {
    public struct Report: Sendable {
        public let exitCode: Int32
        public let output: String
        /// `file:line:column: warning: ...` lines (for stderr); they never change the exit code.
        public var warnings: String = ""
    }

    /// The notification formats a config may name: the registry delivery runs with.
    public static let notifiers = NotifierRegistry.standard

    /// Loads a config as every path that runs one must (check-config, `run`, SIGHUP reload, the
    /// demo): with the notifier registry, so an unknown format is an error at its file:line:col
    /// naming the known ones, the same words on every path.
    public static func load(file: String, overrides: LoadOverrides = LoadOverrides()) throws(ConfigError) -> SiteConfig {
        try SiteConfigLoader(overrides: overrides, notifyFormats: notifiers).load(file: file)
    }

    /// `checkHost: false` validates a config written for another machine (its group and secrets are not looked for).
    public static func run(file: String, showPlan: Bool, checkHost: Bool = true) -> Report {
        do {
            let config = try load(file: file)
            var lines = config.warnings.map { "\($0.file):\($0.line):\($0.column): warning: \($0.message)" }
                + (config.trustModeWarning.map { ["\(file): warning: \($0)"] } ?? [])
            if checkHost {
                lines += SiteTimers.warnings(siteTimezone: config.timezone, installed: SiteTimers.installed(in: SiteTimers.searchDirs()))
                    .map { "warning: \($0)" }
            }
            let warnings = lines.joined(separator: "\n")
            let problems = checkHost ? hostProblems(config) : []
            if !problems.isEmpty {
                return Report(exitCode: 2, output: failure(problems, file: file), warnings: warnings)
            }
            var text = summary(config)
            if showPlan { text += "\n" + plan(config) }
            return Report(exitCode: 0, output: text, warnings: warnings)
        } catch {
            return Report(exitCode: 2, output: failure(error.diagnostics, file: file))
        }
    }

    static func failure(_ diagnostics: [Diagnostic], file: String) -> String {
        let n = diagnostics.count
        return ConfigError(diagnostics).description + "\n\(n) error\(n == 1 ? "" : "s") in \(file)"
    }

    /// What the config asks of this machine and it does not have, checked as the service sees it
    /// (check-config runs as ExecStartPre, with the service's user and environment): an unknown
    /// control group, an unreadable `secret_file`, an unset `secret_env`. Any of them would stop
    /// `run`, or lock the operators out of the control socket.
    public static func hostProblems(_ config: SiteConfig) -> [Diagnostic] {
        config.hostRequirements.compactMap { r in
            let message: String?
            switch r.kind {
            case .group(let name):
                message = getgrnam(name) != nil ? nil
                    : "control group '\(name)' does not exist on this machine; create it (systemd-sysusers creates 'watchroom') or remove 'group'"
            case .secret(let id):
                guard let target = config.notify.first(where: { $0.id == id }) else { return nil }
                do {
                    // An empty file would sign with an empty key: the bot refuses every message.
                    let resolved = try DeliveryService.resolve(target)
                    message = resolved.secret?.isEmpty == true
                        ? "notify target '\(id)': secret_file \(target.secretFile ?? "") is empty" : nil
                } catch { message = "\(error)" }
            case .uplinkPassword(let file):
                do { _ = try UplinkSecrets.password(file: file); message = nil } catch { message = "\(error)" }
            case .uplinkCA(let file):
                message = FileManager.default.isReadableFile(atPath: file) ? nil
                    : "uplink tls ca_file \(file) \(FileManager.default.fileExists(atPath: file) ? "is not readable by this user" : "does not exist"); give the CA certificate (PEM) the broker's certificate is signed by"
            }
            return message.map { Diagnostic(file: r.location.file, line: r.location.line, column: r.location.column, message: $0) }
        }
    }

    public static func summary(_ c: SiteConfig) -> String {
        let points = c.devices.reduce(0) { $0 + c.polledPoints(of: $1).reduce(0) { $0 + $1.count } }
        let requests = c.devices.reduce(0) { $0 + c.plan(for: $1).requests.count }
        return "ok: \(c.siteName): \(Count.of(c.buses.count, "bus", "buses")), \(Count.of(c.devices.count, "device")), \(Count.of(points, "point")), "
            + "\(Count.of(requests, "request")) per scan (\(Count.of(c.zones.count, "zone")), \(Count.of(c.sensors.count, "sensor")), "
            + "\(c.equipment.count) equipment, \(Count.of(c.recorders.count, "recorder")))"
    }

    /// Per bus and device: the requests of one scan.
    public static func plan(_ c: SiteConfig) -> String {
        var lines: [String] = []
        for bus in c.buses {
            lines.append("bus \(bus.id) \(bus.source) every \(bus.pollInterval), timeout \(bus.timeout)")
            for d in c.devices(on: bus.id) {
                let plan = c.plan(for: d)
                lines.append("  device \(d.id) unit \(d.unit) (\(d.profile.model)): \(Count.of(plan.requests.count, "request")), "
                    + "one per point would be \(c.naiveRequestCount(for: d))")
                for r in plan.requests { lines.append("    \(r)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
