import Foundation

/// `uplink: {mqtt: {...}}`: the central broker the journal is forwarded to.
extension SiteConfigLoader.Reader {
    static let uplinkMQTTKeys = ["host", "port", "client_id", "topic_prefix", "qos", "keepalive_s", "username", "password_file", "tls"]

    /// The uplink, or nil when there is none (or it has mistakes, reported at their keys).
    /// The overrides' uplink (the demo's local broker) replaces the file's.
    func readUplink(_ top: YMap) -> MQTTUplink? {
        var fromFile: MQTTUplink?
        if let u = top["uplink"]?.map("uplink") {
            u.check(allowed: ["mqtt"], in: "uplink")
            if let m = u.required("mqtt", in: "uplink")?.map("uplink mqtt") { fromFile = mqttUplink(m) }
        }
        return loader.overrides.uplink ?? fromFile
    }

    private func mqttUplink(_ m: YMap) -> MQTTUplink? {
        m.check(allowed: Self.uplinkMQTTKeys, in: "uplink mqtt")
        let host = m.required("host", in: "uplink mqtt")?.string("uplink host")
        var caFile: String?
        if let t = m["tls"]?.map("uplink tls") {
            t.check(allowed: ["ca_file"], in: "uplink tls")
            if let ca = t.required("ca_file", in: "uplink tls"), let path = ca.string("uplink tls ca_file") {
                caFile = resolve(path)
                hostRequirements.append(HostRequirement(.uplinkCA(file: caFile!), at: ca.location))
            }
        }
        let port = m["port"].map { $0.int("uplink port", in: 1...65535) } ?? (caFile == nil ? 1883 : 8883)
        let prefixNode = m.required("topic_prefix", in: "uplink mqtt")
        let prefix = prefixNode?.string("uplink topic_prefix")
        if let prefix, let problem = Self.topicPrefixProblem(prefix) { prefixNode?.error("uplink topic_prefix '\(prefix)' \(problem)") }
        let clientID = m["client_id"]?.string("uplink client_id")
            ?? prefix.map { "watchroom-" + $0.replacingOccurrences(of: "/", with: "-") }
        if let c = m["client_id"], clientID?.isEmpty == true { c.error("uplink client_id must not be empty") }
        var qos = 1
        if let q = m["qos"], let n = q.int("uplink qos", in: 0...2) {
            if n == 2 {
                q.error("uplink qos 2 is not offered: every event carries its seq and the centre drops duplicates by it, "
                    + "so QoS 1 gives the same result without QoS 2's second round trip per event; use qos: 1")
            } else if n == 0 {
                q.warning("uplink qos 0: the broker confirms nothing, so events sent during an outage are lost; use qos: 1")
            }
            qos = n
        }
        let keepalive = m["keepalive_s"].map { $0.int("uplink keepalive_s", in: 5...3600) } ?? 30
        let username = m["username"]?.string("uplink username")
        var passwordFile: String?
        if let p = m["password_file"], let path = p.string("uplink password_file") {
            passwordFile = resolve(path)
            if username == nil { p.error("uplink password_file needs a username (MQTT sends a password only with a username)") }
            hostRequirements.append(HostRequirement(.uplinkPassword(file: passwordFile!), at: p.location))
        }
        guard let host, let prefix, let clientID, let port, let keepalive, Self.topicPrefixProblem(prefix) == nil else { return nil }
        return MQTTUplink(host: host, port: port, clientID: clientID, topicPrefix: prefix, qos: qos, keepaliveSeconds: keepalive,
                          username: username, passwordFile: passwordFile, caFile: caFile)
    }

    /// Why a topic prefix cannot be published under, or nil: MQTT forbids wildcards in a
    /// published topic, and `$` topics belong to the broker.
    static func topicPrefixProblem(_ prefix: String) -> String? {
        if prefix.isEmpty { return "is empty; give the site's own prefix, such as watchroom/east" }
        if prefix.contains("+") || prefix.contains("#") { return "contains an MQTT wildcard (+ or #); a published topic cannot" }
        if prefix.hasPrefix("$") { return "starts with $, which the broker keeps for its own topics" }
        if prefix.hasPrefix("/") || prefix.hasSuffix("/") || prefix.contains("//") {
            return "has an empty level (a leading, trailing or double /); write it as watchroom/east"
        }
        if prefix.unicodeScalars.contains(where: { $0.value == 0 }) { return "contains a NUL character" }
        return nil
    }
}
