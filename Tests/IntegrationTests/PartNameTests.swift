import Foundation
@testable import Daemon
import Logging
import ServiceLifecycle
import SiteConfig
import Testing

/// The service group names each part in its log metadata; a name made by reflecting a part that
/// holds the site grew with the site (5.4 MB of text per part at 12,800 points, kept for the
/// generation's life).
@Suite struct PartNameTests {
    static let quiet = Logger(label: "parts") { _ in SwiftLogNoOpLogHandler() }

    @Test("every part of the daemon, the signals and the housekeeping included, is named in a few bytes whatever the site's size")
    func partNamesStaySmall() throws {
        let site = try BigSite(name: "part-names", devices: 2, zonesPerDevice: 40)
        let config = try SiteConfigLoader().load(file: site.config)
        let daemon = try WatchroomDaemon(config: config, logger: Self.quiet)
        let signals = ProcessSignals(config: config, daemon: daemon, notifier: SystemdNotifier(environment: [:]), ending: GenerationEnd(),
                                     logger: Self.quiet, stopSeen: { nil })
        let housekeeping = SystemdHousekeeping(daemon: daemon, notifier: SystemdNotifier(environment: [:]), ending: GenerationEnd(),
                                               clock: ContinuousClock(), logger: Self.quiet)
        let names = (daemon.parts() + [.part(signals), .part(housekeeping)]).map(\.serviceName)
        #expect(names.count >= 6)
        for name in names {
            #expect(name.utf8.count <= 40, "part name of \(name.utf8.count) bytes: \(name.prefix(120))")
            #expect(!name.contains("d1z"), "a zone id in the part name \(name.prefix(120))")
        }
        #expect(names.contains("ProcessSignals"))
        #expect(names.contains("Ticker(tick)"))
    }
}
