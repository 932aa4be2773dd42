import Foundation
import SiteConfig
import Testing

/// `board: {listen, sound_min_priority, url}` as DESIGN.md section 6 writes it, and the mistakes it
/// must refuse where they are written.
struct BoardConfigTests {
    private static let hash = "$2b$04$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"

    /// A site with one board login; `board` is the last line (line 11).
    private func site(_ board: String) -> String {
        """
        site: {name: Test, timezone: UTC}
        state_dir: /tmp/watchroom-board-config
        buses:
          - {id: lan, tcp: {host: 127.0.0.1}}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: io}
        shifts:
          - {name: all, start: "00:00", end: "24:00", leader: {name: A}}
        users:
          - {login: wall, name: 值班大屏, roles: [display], password_hash: "\(Self.hash)"}
        \(board)
        """
    }

    private func load(_ board: String) throws -> BoardSettings? {
        let f = try ConfigFixture(site: site(board))
        defer { f.remove() }
        return try SiteConfigLoader().load(file: f.sitePath).board
    }

    @Test("the documented board loads with listen, sound_min_priority and url")
    func documented() throws {
        let b = try #require(try load(#"board: {listen: "127.0.0.1:8080", sound_min_priority: medium, url: "https://board.example"}"#))
        #expect(b == BoardSettings(host: "127.0.0.1", port: 8080, soundMinPriority: .medium, url: "https://board.example"))
        #expect(b.listen == "127.0.0.1:8080" && b.linkBase == "https://board.example")
    }

    @Test("defaults: sound from high up, no url, links from the listen address")
    func defaults() throws {
        let b = try #require(try load(#"board: {listen: "127.0.0.1:8080"}"#))
        #expect(b.soundMinPriority == .high && b.url == nil)
        #expect(b.linkBase == "http://127.0.0.1:8080")
    }

    @Test("an IPv6 listen keeps its brackets; a wildcard listen gives no link")
    func listenShapes() throws {
        let v6 = try #require(try load(#"board: {listen: "[::1]:8443"}"#))
        #expect(v6.host == "::1" && v6.port == 8443 && v6.listen == "[::1]:8443")
        let wild = try #require(try load(#"board: {listen: "0.0.0.0:8080", sound_min_priority: low}"#))
        #expect(wild.soundMinPriority == .low && wild.linkBase == nil)
    }

    @Test("no board key: no board")
    func absent() throws {
        #expect(try load("") == nil)
    }

    @Test("a bad listen, an unknown sound_min_priority and a bad url are refused at their line:col")
    func mistakes() throws {
        let (d, f) = try diagnose(site(#"board: {listen: "127.0.0.1", sound_min_priority: loud, url: "ftp://board.example"}"#))
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 17, "board listen '127.0.0.1' must be HOST:PORT")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 50, "unknown priority 'loud'", "critical, high, medium, low")
        expectDiagnostic(d, file: f.sitePath, line: 11, column: 61, "board url 'ftp://board.example' must start with http://")
    }

    @Test("ports out of range, a missing port and a missing listen are refused")
    func listenMistakes() throws {
        for bad in ["127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", ":8080", "[::1]8080", "localhost"] {
            let (d, f) = try diagnose(site("board: {listen: \"\(bad)\"}"))
            expectDiagnostic(d, file: f.sitePath, line: 11, column: 17, "board listen '\(bad)' must be HOST:PORT")
        }
        let (d, _) = try diagnose(site("board: {sound_min_priority: high}"))
        #expect(d.contains { $0.message.contains("listen") }, "\(d)")
    }

    @Test("an unknown key under board is refused by name")
    func unknownKey() throws {
        let (d, _) = try diagnose(site(#"board: {listen: "127.0.0.1:8080", sound: high}"#))
        #expect(d.contains { $0.message.contains("sound") && $0.message.contains("board") }, "\(d)")
    }
}
