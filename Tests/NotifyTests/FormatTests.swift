import Alarms
import Foundation
import Journal
import Notify
import SiteConfig
import Testing

let stdSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
let wecomKey = "693a91f6-7f3e-4bc4-97a0-0ec2af1a5a0b"
let dingSecret = "SEC1f0e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e5f60718293a4b5c6d7e8f9"
let feishuSecret = "fsQ+k9/ZmT=secret"

/// The answer a bot gives when all is well.
func botOK(_ r: ReceivedRequest) -> Reply {
    r.path.hasPrefix("/open-apis/") ? Reply(status: 200, body: #"{"code":0,"msg":"success","data":{}}"#) : .chatOK
}

/// Five targets, one per format, each on its own path of the receiver; no grouping delay.
func allFormatsYAML(_ base: String, _ dir: URL, window: Double = 0) throws -> String {
    """
    notify:
      - {id: std, format: standard, url: "\(base)/hooks/standard", secret_file: "\(try secretFile(stdSecret, named: "std.secret", in: dir))", group_window_s: \(window)}
      - {id: am, format: alertmanager, url: "\(base)/hooks/alertmanager", group_window_s: \(window)}
      - {id: wecom, format: wecom, url: "\(base)/cgi-bin/webhook/send", secret_file: "\(try secretFile(wecomKey, named: "wecom.key", in: dir))", group_window_s: \(window)}
      - {id: ding, format: dingtalk, url: "\(base)/robot/send?access_token=tok-123", secret_file: "\(try secretFile(dingSecret, named: "ding.secret", in: dir))", group_window_s: \(window)}
      - {id: feishu, format: feishu, url: "\(base)/open-apis/bot/v2/hook/hook-456", secret_file: "\(try secretFile(feishuSecret, named: "feishu.secret", in: dir))", group_window_s: \(window)}
    """
}

let pathStandard = "/hooks/standard", pathAM = "/hooks/alertmanager", pathWeCom = "/cgi-bin/webhook/send"
let pathDing = "/robot/send", pathFeishu = "/open-apis/bot/v2/hook/hook-456"

/// RFC 3339 date-time: a full date, time, optional fraction and a zone ("Z" or an offset); Go's
/// time.Time (Alertmanager receivers) rejects anything without the zone.
func isRFC3339(_ s: String?) -> Bool {
    guard let s else { return false }
    return s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
}

func within5Minutes(_ t: Date) -> Bool { abs(t.timeIntervalSinceNow) < 300 }

/// Trips Z01 (北围墙东段, high) at 10:00 site time, with every format listening, and returns the requests.
func deliverZ01(_ h: Harness, expecting count: Int = 5) async throws -> [ReceivedRequest] {
    try h.startDelivery()
    try await h.commit(try h.rig.trip("Z01", at: dayTime))
    #expect(try await h.waitUntilSettled())
    #expect(await eventually { h.receiver.requests.count >= count })
    return h.receiver.requests
}

@Suite("Webhook formats on the wire", .timeLimit(.minutes(2)))
struct FormatTests {
    @Test("the Standard Webhooks verifier reproduces the spec's published test vector (and rejects tampering)")
    func verifierAgainstPublishedVector() {
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let header = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        #expect(SpecVerify.standardWebhooks(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", body: body,
                                            signatureHeader: header, secret: stdSecret))
        #expect(SpecVerify.standardWebhooks(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", body: body,
                                            signatureHeader: "v1,bm9wZQ== " + header, secret: stdSecret))
        #expect(!SpecVerify.standardWebhooks(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265331", body: body,
                                             signatureHeader: header, secret: stdSecret))
        #expect(!SpecVerify.standardWebhooks(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
                                             body: Data(#"{"test": 2432232315}"#.utf8), signatureHeader: header, secret: stdSecret))
        // The RFC 3339 check used on the bodies below.
        #expect(isRFC3339("0001-01-01T00:00:00Z"))
        #expect(isRFC3339("2027-01-15T02:00:00.000+08:00"))
        #expect(!isRFC3339("2027-01-15T02:00:00.000"))
    }

    @Test("standard: webhook-id, webhook-timestamp and a v1 signature that verifies; the body names zone and leader")
    func standardWebhooks() async throws {
        try await withHarness(handler: botOK, notify: { try allFormatsYAML($0, $1) }) { h in
            _ = try await deliverZ01(h)
            let r = try #require(h.receiver.requests(path: pathStandard).first)
            #expect(r.method == "POST")
            #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
            let id = try #require(r.headers["webhook-id"])
            let ts = try #require(r.headers["webhook-timestamp"])
            let sig = try #require(r.headers["webhook-signature"])
            // The id is the outbox row's stable id.
            let row = try #require(try await allOutbox(h.journal).first { $0.target == "std" })
            #expect(id == "wr-\(row.id)")
            let seconds = try #require(Int(ts), "webhook-timestamp is integer unix seconds: \(ts)")
            #expect(within5Minutes(Date(timeIntervalSince1970: TimeInterval(seconds))))
            #expect(sig.hasPrefix("v1,"))
            #expect(Data(base64Encoded: String(sig.dropFirst(3)))?.count == 32)
            #expect(SpecVerify.standardWebhooks(id: id, timestamp: ts, body: r.body, signatureHeader: sig, secret: stdSecret),
                    "signature verifies over \(id).\(ts).<body>")
            // The verification is sensitive to every part.
            var tampered = r.body
            tampered.append(0x20)
            #expect(!SpecVerify.standardWebhooks(id: id, timestamp: ts, body: tampered, signatureHeader: sig, secret: stdSecret))
            #expect(!SpecVerify.standardWebhooks(id: id + "x", timestamp: ts, body: r.body, signatureHeader: sig, secret: stdSecret))

            let json = try r.json()
            #expect(json["type"] as? String == "alarm.raised")
            let data = try #require(json["data"] as? [String: Any])
            #expect(data["id"] as? String == id)
            #expect(data["kind"] as? String == "raised")
            #expect(data["site"] as? String == "测试园区监控中心")
            #expect((data["title"] as? String)?.contains("北围墙东段") == true)
            let alarm = try #require(data["alarm"] as? [String: Any])
            #expect(alarm["source_id"] as? String == "Z01")
            #expect(alarm["name"] as? String == "北围墙东段")
            #expect(alarm["priority"] as? String == "high")
            let recipients = try #require(data["recipients"] as? [[String: Any]])
            #expect(recipients.first?["name"] as? String == dayLeader.name)
            #expect(recipients.first?["mobile"] as? String == dayLeader.mobile)
            #expect((data["text"] as? String)?.contains(dayLeader.name) == true)
            // Times in the body are RFC 3339 (with a zone), like every Standard Webhooks payload.
            #expect((data["time"] as? String)?.hasPrefix("2027-01-15T02:00:00") == true, "data.time \(data["time"] ?? "nil")")
            #expect(isRFC3339(json["timestamp"] as? String), "timestamp \(json["timestamp"] ?? "nil")")
            #expect(isRFC3339(data["time"] as? String), "data.time \(data["time"] ?? "nil")")
            // The UTF-8 bytes of the Chinese name are in the body as such.
            #expect(r.bodyText.contains("北围墙东段"))
        }
    }

    @Test("alertmanager: a v4 body, firing then resolved, that an Alertmanager receiver accepts")
    func alertmanagerV4() async throws {
        try await withHarness(handler: botOK, notify: { try allFormatsYAML($0, $1) }) { h in
            _ = try await deliverZ01(h)
            let id = try h.rig.alarmID("Z01")
            try await h.commit(try h.rig.command(.acknowledge(alarm: id, user: "张伟"), at: dayTime.addingTimeInterval(60)))
            try await h.commit(try h.rig.restore("Z01", at: dayTime.addingTimeInterval(120)))
            try await h.commit(try h.rig.command(.note(alarm: id, user: "张伟", text: "已处置"), at: dayTime.addingTimeInterval(130)))
            try await h.commit(try h.rig.command(.reset(alarm: id, user: "张伟"), at: dayTime.addingTimeInterval(140)))
            #expect(try await h.waitUntilSettled())
            #expect(await eventually { h.receiver.requests(path: pathAM).count >= 3 })
            let reqs = h.receiver.requests(path: pathAM)
            try #require(reqs.count == 3, "raised, acknowledged, resolved: \(reqs.map(\.bodyText))")
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let isoPlain = ISO8601DateFormatter()
            func date(_ s: String?) -> Date? { s.flatMap { iso.date(from: $0) ?? isoPlain.date(from: $0) } }

            var fingerprints: Set<String> = []
            for (i, r) in reqs.enumerated() {
                let body = try r.json()
                for key in ["version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
                            "commonAnnotations", "externalURL", "alerts"] {
                    #expect(body[key] != nil, "alertmanager body has \(key)")
                }
                #expect(body["version"] as? String == "4")
                #expect(body["receiver"] as? String == "am")
                #expect(body["groupKey"] is String)
                #expect(body["truncatedAlerts"] as? Int == 0)
                #expect((body["groupLabels"] as? [String: String]) != nil)
                let common = try #require(body["commonLabels"] as? [String: String])
                #expect(common["site"] == "测试园区监控中心")
                let alerts = try #require(body["alerts"] as? [[String: Any]])
                try #require(alerts.count == 1)
                let a = alerts[0]
                let labels = try #require(a["labels"] as? [String: String])
                #expect(labels["alertname"]?.isEmpty == false)
                #expect(labels["source"] == "Z01")
                #expect(labels["severity"] == "high")
                // Every common label is a label of every alert.
                for (k, v) in common { #expect(labels[k] == v, "commonLabels \(k)") }
                let annotations = try #require(a["annotations"] as? [String: String])
                #expect(annotations["summary"]?.contains("北围墙东段") == true)
                #expect(annotations.values.contains { $0.contains(dayLeader.name) }, "names the leader on duty")
                // startsAt is the raise time (10:00 site time = 02:00 UTC) as an RFC 3339 time with its zone.
                #expect((a["startsAt"] as? String)?.hasPrefix("2027-01-15T02:00:00") == true, "startsAt \(a["startsAt"] ?? "nil")")
                #expect(isRFC3339(a["startsAt"] as? String), "startsAt \(a["startsAt"] ?? "nil")")
                #expect(date(a["startsAt"] as? String) == dayTime)
                #expect((a["generatorURL"] as? String)?.isEmpty == false)
                let fp = try #require(a["fingerprint"] as? String)
                #expect(fp.count == 16 && fp.allSatisfy(\.isHexDigit), "fingerprint \(fp)")
                fingerprints.insert(fp)
                if i < 2 {
                    #expect(body["status"] as? String == "firing")
                    #expect(a["status"] as? String == "firing")
                    #expect(a["endsAt"] as? String == "0001-01-01T00:00:00Z")
                } else {
                    #expect(body["status"] as? String == "resolved")
                    #expect(a["status"] as? String == "resolved")
                    #expect((a["endsAt"] as? String)?.hasPrefix("2027-01-15T02:02:20") == true, "endsAt \(a["endsAt"] ?? "nil")")
                    #expect(isRFC3339(a["endsAt"] as? String), "endsAt \(a["endsAt"] ?? "nil")")
                    #expect(date(a["endsAt"] as? String) == dayTime.addingTimeInterval(140))
                }
            }
            #expect(fingerprints.count == 1, "one alarm, one fingerprint across its notifications")
        }
    }

    @Test("wecom: text with the leader's mobile mentioned, key in the query, at most 2048 bytes; escalation mentions the supervisor")
    func wecomText() async throws {
        try await withHarness(handler: botOK, notify: { try allFormatsYAML($0, $1) }) { h in
            _ = try await deliverZ01(h)
            let r = try #require(h.receiver.requests(path: pathWeCom).first)
            #expect(r.rawQueryItems["key"] == wecomKey)
            let json = try r.json()
            #expect(json["msgtype"] as? String == "text")
            let text = try #require(json["text"] as? [String: Any])
            let content = try #require(text["content"] as? String)
            #expect(content.contains("北围墙东段"))
            #expect(content.contains(dayLeader.name), "names the leader on duty")
            #expect(content.utf8.count <= 2048)
            #expect(text["mentioned_mobile_list"] as? [String] == [dayLeader.mobile])

            // Nobody acknowledges within 300 s: the supervisor is called too.
            try await h.commit(h.rig.tick(at: dayTime.addingTimeInterval(300)))
            #expect(try await h.waitUntilSettled())
            #expect(await eventually { h.receiver.requests(path: pathWeCom).count >= 2 })
            let e = try #require(h.receiver.requests(path: pathWeCom).dropFirst().first)
            let etext = try #require(try e.json()["text"] as? [String: Any])
            #expect(etext["mentioned_mobile_list"] as? [String] == [dayLeader.mobile, supervisorPerson.mobile])
            let econtent = try #require(etext["content"] as? String)
            #expect(econtent.contains(supervisorPerson.name))
            #expect(econtent.contains(dayLeader.name))
        }
    }

    @Test("dingtalk: signed URL (timestamp in ms, sign verified from the spec), markdown and at.atMobiles")
    func dingTalkSigned() async throws {
        try await withHarness(handler: botOK, notify: { try allFormatsYAML($0, $1) }) { h in
            _ = try await deliverZ01(h)
            let r = try #require(h.receiver.requests(path: pathDing).first)
            let q = r.rawQueryItems
            #expect(q["access_token"] == "tok-123", "the robot's own token stays in the URL")
            let ts = try #require(q["timestamp"])
            let ms = try #require(Int64(ts), "timestamp is integer milliseconds: \(ts)")
            #expect(within5Minutes(Date(timeIntervalSince1970: Double(ms) / 1000)), "timestamp \(ts) is milliseconds, now")
            let rawSign = try #require(q["sign"])
            #expect(!rawSign.contains("+") && !rawSign.contains("="), "sign is URL-encoded: \(rawSign)")
            let sign = try #require(SpecVerify.formDecode(rawSign))
            #expect(sign == SpecVerify.dingTalkSign(timestamp: ts, secret: dingSecret), "sign verifies")
            #expect(sign != SpecVerify.dingTalkSign(timestamp: String(ms + 1), secret: dingSecret))

            let json = try r.json()
            #expect(json["msgtype"] as? String == "markdown")
            let md = try #require(json["markdown"] as? [String: Any])
            #expect((md["title"] as? String)?.contains("北围墙东段") == true)
            let text = try #require(md["text"] as? String)
            #expect(text.contains("北围墙东段"))
            #expect(text.contains(dayLeader.name), "names the leader on duty")
            #expect(text.contains("@\(dayLeader.mobile)"), "DingTalk shows the mention only with @mobile in the text")
            let at = try #require(json["at"] as? [String: Any])
            #expect(at["atMobiles"] as? [String] == [dayLeader.mobile])
            #expect(at["isAtAll"] as? Bool != true)
        }
    }

    @Test("feishu: timestamp (s) and sign in the body, verified from the spec; text mentions the leader")
    func feishuSigned() async throws {
        try await withHarness(handler: botOK, notify: { try allFormatsYAML($0, $1) }) { h in
            _ = try await deliverZ01(h)
            let r = try #require(h.receiver.requests(path: pathFeishu).first)
            let json = try r.json()
            let ts = try #require((json["timestamp"] as? String) ?? (json["timestamp"] as? Int).map(String.init))
            let seconds = try #require(Int(ts))
            #expect(within5Minutes(Date(timeIntervalSince1970: TimeInterval(seconds))), "timestamp \(ts) is seconds, now")
            let sign = try #require(json["sign"] as? String)
            #expect(sign == SpecVerify.feishuSign(timestamp: ts, secret: feishuSecret), "sign verifies")
            #expect(sign != SpecVerify.feishuSign(timestamp: ts, secret: feishuSecret + "x"))
            #expect(json["msg_type"] as? String == "text")
            let content = try #require(json["content"] as? [String: Any])
            let text = try #require(content["text"] as? String)
            #expect(text.contains("北围墙东段"))
            #expect(text.contains(dayLeader.name), "names the leader on duty")
            #expect(text.contains("<at user_id=\"\(dayLeader.chat)\">"), "mentions the leader's chat user: \(text)")
        }
    }

    @Test("every format's message names the night leader at night")
    func nightLeaderEverywhere() async throws {
        try await withHarness(at: nightTime, handler: botOK, notify: { try allFormatsYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("F01", at: nightTime))
            #expect(try await h.waitUntilSettled())
            #expect(await eventually { h.receiver.requests.count >= 5 })
            let reqs = h.receiver.requests
            #expect(Set(reqs.map(\.path)) == [pathStandard, pathAM, pathWeCom, pathDing, pathFeishu])
            for r in reqs {
                #expect(r.bodyText.contains(nightLeader.name), "\(r.path) names \(nightLeader.name)")
                #expect(!r.bodyText.contains(dayLeader.name), "\(r.path) does not name the day leader")
                #expect(r.bodyText.contains("消防主机火警"), "\(r.path) carries the Chinese zone name intact")
            }
        }
    }

    @Test("chat formats group a burst into one message naming every zone, each leader mentioned once")
    func chatGrouping() async throws {
        try await withHarness(handler: botOK, notify: { try allFormatsYAML($0, $1, window: 1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip(["Z01", "Z02", "F01"], at: dayTime))
            #expect(try await h.waitUntilSettled())
            try await Task.sleep(for: .milliseconds(300))
            for path in [pathWeCom, pathDing, pathFeishu] {
                let reqs = h.receiver.requests(path: path)
                #expect(reqs.count == 1, "\(path): one grouped message, got \(reqs.count)")
                guard let r = reqs.first else { continue }
                for name in ["北围墙东段", "北围墙西段", "消防主机火警"] { #expect(r.bodyText.contains(name), "\(path) names \(name)") }
                #expect(r.bodyText.contains(dayLeader.name))
            }
            let wecom = try #require(h.receiver.requests(path: pathWeCom).first)
            let text = try #require(try wecom.json()["text"] as? [String: Any])
            #expect(text["mentioned_mobile_list"] as? [String] == [dayLeader.mobile])
            #expect((text["content"] as? String)?.contains("3") == true)
            // The batch is one delivery of three rows: all delivered.
            #expect(try await allOutbox(h.journal).filter { $0.target == "wecom" }.map(\.state) == ["delivered", "delivered", "delivered"])
        }
    }

    @Test("a very long message is cut to the bot's limit and stays valid UTF-8")
    func longMessageTruncated() async throws {
        let longName = String(repeating: "北围墙东段", count: 300)  // 4,500 bytes of UTF-8
        var zones = standardZones
        zones[0].name = longName
        try await withHarness(zones: zones, handler: botOK, notify: { try allFormatsYAML($0, $1) }) { h in
            _ = try await deliverZ01(h)
            let wecom = try #require(h.receiver.requests(path: pathWeCom).first)
            let text = try #require(try wecom.json()["text"] as? [String: Any])
            let content = try #require(text["content"] as? String)
            #expect(content.utf8.count <= 2048)
            #expect(content.hasPrefix("[高]"))
            #expect(text["mentioned_mobile_list"] as? [String] == [dayLeader.mobile])
            let ding = try #require(h.receiver.requests(path: pathDing).first)
            let md = try #require(try ding.json()["markdown"] as? [String: Any])
            #expect(((md["text"] as? String)?.utf8.count ?? .max) <= 4096)
            // The leader on duty is still named when the alarm's own text is cut.
            #expect(content.contains(dayLeader.name))
        }
    }

    @Test("secrets never reach the log")
    func secretsNotLogged() async throws {
        try await withHarness(handler: { r in r.path == pathWeCom ? Reply(status: 503) : botOK(r) },
                              notify: { try allFormatsYAML($0, $1) }) { h in
            try h.startDelivery()
            try await h.commit(try h.rig.trip("Z01", at: dayTime))
            #expect(await eventually { h.receiver.requests(path: pathWeCom).count >= 1 && h.logs.all.contains { $0.contains("wecom") } })
            let logs = h.logs.all.joined(separator: "\n")
            #expect(logs.contains("503"), "the retry is logged: \(logs)")
            for secret in [wecomKey, dingSecret, feishuSecret, stdSecret, "tok-123"] {
                #expect(!logs.contains(secret), "the log shows a secret")
            }
        }
    }
}
