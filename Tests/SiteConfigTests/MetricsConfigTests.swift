import Foundation
import SiteConfig
import Testing

/// `metrics: {listen: HOST:PORT}`: read, and a wrong address reported where it is written.
struct MetricsConfigTests {
    static func site(_ metrics: String) -> String {
        """
        site: {name: Test, timezone: UTC}
        state_dir: /tmp/watchroom-test
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
        devices:
          - {id: di-1, bus: lan, unit: 1, profile: io}
        \(metrics)
        """
    }

    @Test("metrics listen is read as host and port; without the section nothing is served")
    func reads() throws {
        for (text, host, port) in [("127.0.0.1:9630", "127.0.0.1", 9630), ("[::1]:9100", "::1", 9100), ("localhost:80", "localhost", 80),
                                   ("0.0.0.0:9630", "0.0.0.0", 9630)] {
            let f = try ConfigFixture(site: Self.site("metrics: {listen: \"\(text)\"}"))
            defer { f.remove() }
            let config = try SiteConfigLoader().load(file: f.sitePath)
            #expect(config.metrics == MetricsSettings(host: host, port: port))
            #expect(config.metrics?.listen == text)
        }
        let f = try ConfigFixture(site: Self.site(""))
        defer { f.remove() }
        #expect(try SiteConfigLoader().load(file: f.sitePath).metrics == nil)
    }

    @Test("a listen address without a port, with a port out of range or with a host name is refused at its line, saying what to write")
    func refuses() throws {
        for (text, says) in [("127.0.0.1", "must look like HOST:PORT"), ("127.0.0.1:70000", "the port must be a number from 1 to 65535"),
                             ("127.0.0.1:http", "the port must be a number"), ("metrics.example:9630", "the host must be an IP address"),
                             ("[::1]9630", "must look like [IPV6]:PORT"), ("::1:9630", "must look like HOST:PORT")] {
            let (d, f) = try diagnose(Self.site("metrics: {listen: \"\(text)\"}"))
            expectDiagnostic(d, file: f.sitePath, line: 7, column: 19, "metrics listen '\(text)'", says)
        }
        let (d, f) = try diagnose(Self.site("metrics: {port: 9630}"))
        expectDiagnostic(d, file: f.sitePath, line: 7, column: 11, "unknown key 'port'")
        #expect(d.contains { $0.message.contains("listen") })
    }
}
