import Foundation
import SiteConfig
import Testing

/// A 4-input, 4-relay module: the profile most fixtures use (profile name `io`).
let ioProfile = """
    model: io
    source: "test fixture"
    points:
      di: {table: discrete_input, address: 0, count: 4, type: bool}
      relay: {table: coil, address: 0, count: 4, type: bool}
    """

/// A site config (and its profiles) written into a fresh temporary folder, as a maintainer would
/// lay them out: the loader finds `NAME.yaml` profiles next to the config.
struct ConfigFixture {
    let dir: URL
    var sitePath: String { dir.appendingPathComponent("site.yaml").path }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    init(site: String, profiles: [String: String] = ["io": ioProfile]) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try site.write(toFile: sitePath, atomically: true, encoding: .utf8)
        for (name, text) in profiles {
            try text.write(toFile: path("\(name).yaml"), atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// The diagnostics of loading the site; empty when it loads.
    func diagnostics() -> [Diagnostic] {
        do {
            _ = try SiteConfigLoader().load(file: sitePath)
            return []
        } catch { return error.diagnostics }
    }
}

/// Loads `site` (with `profiles`) and returns its diagnostics and the folder's path.
func diagnose(_ site: String, profiles: [String: String] = ["io": ioProfile]) throws -> (
    diagnostics: [Diagnostic], fixture: ConfigFixture
) {
    let fixture = try ConfigFixture(site: site, profiles: profiles)
    defer { fixture.remove() }
    return (fixture.diagnostics(), fixture)
}

/// Expects exactly one diagnostic whose message contains every fragment, at this line and column of `file`.
func expectDiagnostic(
    _ diagnostics: [Diagnostic], file: String, line: Int, column: Int, _ fragments: String...,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let matches = diagnostics.filter { d in fragments.allSatisfy { d.message.contains($0) } }
    guard matches.count == 1, let d = matches.first else {
        Issue.record("expected one diagnostic with \(fragments), got:\n\(diagnostics.map(\.description).joined(separator: "\n"))",
                     sourceLocation: sourceLocation)
        return
    }
    #expect(d.file == file, sourceLocation: sourceLocation)
    #expect(d.line == line, "line of: \(d)", sourceLocation: sourceLocation)
    #expect(d.column == column, "column of: \(d)", sourceLocation: sourceLocation)
}
