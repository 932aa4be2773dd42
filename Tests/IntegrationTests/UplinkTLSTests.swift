import Foundation
import Journal
import Testing

/// The uplink as a central station runs it: TLS with the site's CA file, a username and a
/// password file, against a real Mosquitto that refuses anonymous clients.
@Suite("uplink over TLS with a password", .serialized, .timeLimit(.minutes(2)),
       .enabled(if: MosquittoBroker.installed && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct UplinkTLSTests {
    /// A CA, a server certificate for 127.0.0.1 signed by it, and a broker password file.
    struct Credentials {
        let dir: URL
        var ca: String { dir.appendingPathComponent("ca.crt").path }
        var cert: String { dir.appendingPathComponent("server.crt").path }
        var key: String { dir.appendingPathComponent("server.key").path }
        var brokerPasswords: String { dir.appendingPathComponent("passwd").path }

        init(dir: URL, user: String, password: String) async throws {
            self.dir = dir
            let steps: [[String]] = [
                ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=watchroom test CA",
                 "-keyout", "ca.key", "-out", "ca.crt"],
                ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"],
                ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                 "-extfile", "san.cnf", "-out", "server.crt"],
            ]
            try "subjectAltName=IP:127.0.0.1\n".write(to: dir.appendingPathComponent("san.cnf"), atomically: true, encoding: .utf8)
            for args in steps {
                let r = try await runToExit("/usr/bin/openssl", args, currentDirectory: dir, deadline: .seconds(60))
                try #require(r.status == 0, "openssl \(args.joined(separator: " ")): \(r.err)")
            }
            let p = try await runToExit("/usr/bin/mosquitto_passwd", ["-c", "-b", "passwd", user, password], currentDirectory: dir, deadline: .seconds(30))
            try #require(p.status == 0, "mosquitto_passwd: \(p.err)")
        }
    }

    /// A broker with TLS only and no anonymous clients (kept as root: it reads the test's files).
    static func tlsBroker(_ c: Credentials, port: Int) throws -> String {
        let config = c.dir.appendingPathComponent("mosquitto.conf").path
        try """
            user root
            listener \(port) 127.0.0.1
            cafile \(c.ca)
            certfile \(c.cert)
            keyfile \(c.key)
            allow_anonymous false
            password_file \(c.brokerPasswords)
            persistence false
            log_type all

            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test("TLS with the CA file and the password file: connected, events arrive; a wrong password is refused and said in status")
    func tlsAndPassword() async throws {
        let dir = try Paths.tempDir("uplink-tls")
        let c = try await Credentials(dir: dir, user: "east", password: "s3cret-東")
        let port = try freePort()
        let broker = try ChildProcess(MosquittoBroker.executable, ["-c", try Self.tlsBroker(c, port: port)])
        defer { broker.stopInBackground() }
        #expect(await broker.waitForLine { $0.contains("running") } != nil, "mosquitto did not start: \(broker.output)")

        let secret = dir.appendingPathComponent("mqtt.secret").path
        try "s3cret-東\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let prefix = "watchroom/tls"
        let site = try BigSite(name: "uplink-tls", devices: 1, zonesPerDevice: 2)
        try (try String(contentsOfFile: site.config, encoding: .utf8) + """
            uplink:
              mqtt: {host: 127.0.0.1, port: \(port), client_id: uplink-tls, topic_prefix: \(prefix), qos: 1, keepalive_s: 5,
                     username: east, password_file: \(secret), tls: {ca_file: \(c.ca)}}

            """).write(toFile: site.config, atomically: true, encoding: .utf8)

        let centre = try ChildProcess("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(port)", "--cafile", c.ca,
                                                                 "-u", "east", "-P", "s3cret-東", "-t", "\(prefix)/#", "-q", "1", "-F", "%t\t%p"])
        defer { centre.stopInBackground() }
        let sim = try ChildProcess(Paths.watchroomd, ["simulate", "--config", site.config, "--control", site.simSocket])
        defer { sim.stopInBackground() }
        #expect(await sim.waitForLine { $0.contains("simulating bus lan") } != nil)
        let daemon = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("uplink connected to mqtts://east@127.0.0.1:\(port)") } != nil, "\(daemon.output.suffix(8))")
        #expect(!daemon.output.contains { $0.contains("s3cret") }, "the password must never be logged")
        #expect(try await waitForPolls("d1", socket: site.simSocket))
        _ = try await simulatorCommand("fill d1.di true", socket: site.simSocket)
        #expect(await centre.waitForLine(timeout: .seconds(20)) { $0.hasPrefix("\(prefix)/events\t") && $0.contains("\"raised\"") } != nil,
                "the centre never got the raise over TLS: \(centre.output.suffix(5))")
        #expect(await centre.waitForLine { $0 == "\(prefix)/status\tonline" } != nil)
        await daemon.stopAndWait()

        // The same site with a wrong password: refused by the broker, said in status, never connected.
        try "wrong\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let again = try ChildProcess(Paths.watchroomd, ["run", "--config", site.config])
        defer { again.stopInBackground() }
        #expect(await again.waitForLine { $0.contains("uplink to 127.0.0.1:\(port)") && $0.contains("refused") } != nil,
                "a refused login must be logged: \(again.output.suffix(8))")
        let status = try await watchroomctl(["--socket", site.controlSocket, "status"])
        // Between two attempts the uplink is disconnected, during one it is connecting again (a loaded
        // machine can be in either when status asks); both say why the last attempt failed.
        #expect(status.1.contains("uplink mqtts://east@127.0.0.1:\(port)")
                && (status.1.contains(": disconnected since") || status.1.contains(": connecting since"))
                && status.1.contains("not authorised"), "status must say the broker refused the login: \(status.1)")
        #expect(!again.output.contains { $0.contains("wrong") }, "the password must never be logged")
    }
}
