import Foundation
import SiteConfig

/// Writes config and profile files into a fresh temporary folder, loads `site.yaml`, and removes the folder.
func loadTestSite(_ files: [String: String]) throws -> SiteConfig {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-polling-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, text) in files {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return try SiteConfigLoader().load(file: dir.appendingPathComponent("site.yaml").path)
}
