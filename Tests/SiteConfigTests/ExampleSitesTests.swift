import Foundation
import SiteConfig
import Testing

/// The package root, found from this file's path (Tests/SiteConfigTests/...).
private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func yamlFiles(in folder: String) -> [String] {
    let dir = root.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted().map { dir.appendingPathComponent($0).path }
}

private let exampleSites = yamlFiles(in: "devices/sites")
private let profiles = yamlFiles(in: "devices")

/// The file's name without folder and extension.
private func baseName(_ path: String) -> String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }

struct ExampleSitesTests {
    @Test("the shipped examples are all found")
    func examplesFound() {
        #expect(Set(exampleSites.map(baseName)).isSuperset(of: ["demo", "example-site", "rtu-lab"]))
        #expect(Set(profiles.map(baseName)).isSuperset(of: [
            "adam-6050", "apc-smart-ups", "cabinet-monitor", "generic-di-16", "huawei-02312pbl", "nvr-alarm-io",
            "xy-md02", "zone-expander-8",
        ]))
    }

    @Test("every example site loads without diagnostics", arguments: exampleSites)
    func exampleSiteLoads(path: String) throws {
        do {
            let config = try SiteConfigLoader().load(file: path)
            #expect(!config.devices.isEmpty)
            for device in config.devices {
                #expect(!device.profile.source.isEmpty, "profile \(device.profile.model) names no source document")
            }
        } catch {
            Issue.record("\(baseName(path)):\n\(error.description)")
        }
    }

    @Test("every device profile loads, names its source document, and has points", arguments: profiles)
    func profileLoads(path: String) throws {
        let fixture = try ConfigFixture(
            site: """
                site: {name: Profile check, timezone: UTC}
                state_dir: /tmp/watchroom-test
                buses:
                  - id: lan
                    tcp: {host: 127.0.0.1}
                devices:
                  - {id: d, bus: lan, unit: 1, profile: "\(path)"}
                """, profiles: [:])
        defer { fixture.remove() }
        do {
            let config = try SiteConfigLoader().load(file: fixture.sitePath)
            let profile = try #require(config.device("d")?.profile)
            #expect(profile.model == baseName(path))
            #expect(!profile.source.isEmpty)
            #expect(!profile.points.isEmpty)
            #expect(profile.file == path)
        } catch let error as ConfigError {
            Issue.record("\(baseName(path)):\n\(error.description)")
        }
    }

    @Test("the demo site's supervised zones read the expander's enum states")
    func demoSiteContents() throws {
        let config = try SiteConfigLoader().load(file: root.appendingPathComponent("devices/sites/demo.yaml").path)
        #expect(config.devices.map(\.id) == ["di-1", "exp-1", "nvr-io", "cab-1", "th-1", "ups-1"])
        #expect(config.zones.count == 13)
        let z07 = try #require(config.zones.first { $0.id == "Z07" })
        #expect(z07.input == PointRef(device: "exp-1", point: "zone_state", index: 0))
        #expect(config.point(z07.input)?.labels?[2] == "tamper")
        #expect(config.sensors.first { $0.id == "room-temp" }?.deadband == 0.5)
    }
}
