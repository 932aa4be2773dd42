import Foundation
import SiteConfig
import Testing

/// `uplink: {mqtt: ...}` as DESIGN.md section 6 writes it, and the mistakes it must refuse.
struct UplinkConfigTests {
    private func site(_ uplink: String) -> String {
        """
        site: {name: east, timezone: Asia/Shanghai}
        state_dir: /tmp/watchroom-uplink-config
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
        devices:
          - {id: d1, bus: lan, unit: 1, profile: io}
        shifts:
          - {name: all, start: "00:00", end: "24:00", leader: {name: A}}
        uplink:
        \(uplink)
        """
    }

    @Test("the documented uplink loads with every key, relative files next to the config")
    func documented() throws {
        let f = try ConfigFixture(site: site("""
              mqtt: {host: central.example, port: 8883, client_id: site-east, topic_prefix: watchroom/east, qos: 1,
                     keepalive_s: 30, username: east, password_file: mqtt.secret, tls: {ca_file: /etc/ssl/ca.pem}}
            """))
        defer { f.remove() }
        let u = try #require(try SiteConfigLoader().load(file: f.sitePath).uplink)
        #expect(u == MQTTUplink(host: "central.example", port: 8883, clientID: "site-east", topicPrefix: "watchroom/east", qos: 1,
                                keepaliveSeconds: 30, username: "east", passwordFile: f.path("mqtt.secret"), caFile: "/etc/ssl/ca.pem"))
    }

    @Test("defaults: port 1883 (8883 with TLS), QoS 1, keepalive 30 s, a client id from the prefix")
    func defaults() throws {
        let f = try ConfigFixture(site: site("  mqtt: {host: 10.0.0.5, topic_prefix: watchroom/east}"))
        defer { f.remove() }
        let u = try #require(try SiteConfigLoader().load(file: f.sitePath).uplink)
        #expect(u.port == 1883 && u.qos == 1 && u.keepaliveSeconds == 30 && u.clientID == "watchroom-watchroom-east" && u.caFile == nil)
        let t = try ConfigFixture(site: site("  mqtt: {host: 10.0.0.5, topic_prefix: w/e, tls: {ca_file: ca.pem}}"))
        defer { t.remove() }
        #expect(try SiteConfigLoader().load(file: t.sitePath).uplink?.port == 8883)
    }

    @Test("a topic prefix with a wildcard, qos 2, a port out of range and a password without a username are refused where written")
    func mistakes() throws {
        let (d, f) = try diagnose(site("""
              mqtt: {host: h, topic_prefix: "watchroom/+/east", qos: 2, port: 70000, password_file: p.secret}
            """))
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 33, "topic_prefix", "wildcard")
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 58, "qos 2 is not offered", "drops duplicates by it")
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 67, "uplink port 70000 is out of range 1...65535")
        expectDiagnostic(d, file: f.sitePath, line: 10, column: 89, "password_file needs a username")
    }

    @Test("a prefix with an empty level or a $ topic, and an unknown key, are refused")
    func prefixShapes() throws {
        for bad in ["/watchroom", "watchroom/", "a//b", "$SYS/x", "#"] {
            let (d, _) = try diagnose(site("  mqtt: {host: h, topic_prefix: \"\(bad)\"}"))
            #expect(d.contains { $0.message.contains("uplink topic_prefix '\(bad)'") }, "\(bad): \(d)")
        }
        let (d, _) = try diagnose(site("  mqtt: {host: h, topic_prefix: w/e, qos_level: 1}"))
        #expect(d.contains { $0.message.contains("qos_level") }, "\(d)")
    }

    @Test("qos 0 loads with a warning that an outage loses events")
    func qosZero() throws {
        let f = try ConfigFixture(site: site("  mqtt: {host: h, topic_prefix: w/e, qos: 0}"))
        defer { f.remove() }
        let c = try SiteConfigLoader().load(file: f.sitePath)
        #expect(c.uplink?.qos == 0)
        #expect(c.warnings.contains { $0.message.contains("qos 0") && $0.message.contains("lost") })
    }

    @Test("no uplink key: no uplink")
    func absent() throws {
        let f = try ConfigFixture(site: site("").replacingOccurrences(of: "uplink:\n", with: ""))
        defer { f.remove() }
        #expect(try SiteConfigLoader().load(file: f.sitePath).uplink == nil)
    }
}
