import Foundation
import Testing

/// `watchroomd check-config` looks for the uplink's files as the service would.
struct UplinkCheckConfigTests {
    @Test("check-config fails on a missing password_file and a missing ca_file, at their keys; passes once they are there")
    func uplinkFiles() async throws {
        let site = try BigSite(name: "uplink-check", devices: 1, zonesPerDevice: 1)
        let base = try String(contentsOfFile: site.config, encoding: .utf8)
        try (base + """
            uplink:
              mqtt: {host: 127.0.0.1, topic_prefix: w/e, username: east, password_file: mqtt.secret, tls: {ca_file: ca.pem}}

            """).write(toFile: site.config, atomically: true, encoding: .utf8)
        let line = base.split(separator: "\n", omittingEmptySubsequences: false).count + 1
        let missing = try await runToExit(Paths.watchroomd, ["check-config", site.config])
        #expect(missing.status == 2)
        #expect(missing.err.contains("\(site.config):\(line):") && missing.err.contains("password_file \(site.dir.path)/mqtt.secret does not exist"),
                "\(missing.err)")
        #expect(missing.err.contains("ca_file \(site.dir.path)/ca.pem does not exist"), "\(missing.err)")

        try "s3cret\n".write(toFile: site.dir.appendingPathComponent("mqtt.secret").path, atomically: true, encoding: .utf8)
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: site.dir.appendingPathComponent("ca.pem").path, atomically: true, encoding: .utf8)
        let ok = try await runToExit(Paths.watchroomd, ["check-config", site.config])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(!ok.out.contains("s3cret") && !ok.err.contains("s3cret"))
    }
}
