import Foundation
import SiteConfig
import Testing

struct RedactionTests {
    @Test("a key in the query is never printed")
    func queryKey() {
        let r = Redaction.url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")
        #expect(r == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***")
    }

    @Test("a Feishu token in the path is never printed")
    func pathToken() {
        let r = Redaction.url("https://open.feishu.cn/open-apis/bot/v2/hook/8d3f2a1c-5b7e-4c9d-a0e1-f2b3c4d5e6f7")
        #expect(r == "https://open.feishu.cn/open-apis/bot/v2/hook/***")
        #expect(!r.contains("8d3f2a1c"))
    }

    @Test("user info, and a URL that does not even parse (bad port), are redacted too")
    func userInfoAndBadPort() {
        #expect(Redaction.url("https://bot:s3cret@example.com/hook") == "https://***@example.com/hook")
        let bad = Redaction.url("https://example.com:99999/send?key=abcdef&x=1")
        #expect(bad == "https://example.com:99999/send?key=***&x=***")
    }

    @Test("ordinary paths stay readable")
    func plainPath() {
        #expect(Redaction.url("http://127.0.0.1:8080/alerts/v4") == "http://127.0.0.1:8080/alerts/v4")
    }
}

struct PrintableTests {
    @Test("a newline in a note cannot forge a log line")
    func newline() {
        #expect(Printable.line("ok\n2026-12-01 09:00:00 NOTE alarm 1 reset") == "ok\\n2026-12-01 09:00:00 NOTE alarm 1 reset")
    }

    @Test("escape sequences reach no terminal raw; Chinese text is kept")
    func escapes() {
        let hostile = "北围墙\u{1B}[2J\u{1B}]0;x\u{07}\r\u{08}\u{9B}31m ALL CLEAR"
        let shown = Printable.line(hostile)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(shown.hasPrefix("北围墙\\e[2J"))
        #expect(Printable.line("张三 巡查正常") == "张三 巡查正常")
    }

    @Test("a block keeps its lines but not its escapes")
    func block() {
        #expect(Printable.block("a\nb\u{1B}c") == "a\nb\\ec")
    }
}

struct LocalTimeTests {
    @Test("site time reads as a DateFormatter in the site's zone would, across a day boundary")
    func matchesFormatter() throws {
        for t in [0.0, 1_800_000_000, 1_800_043_199, 1_800_043_200, 1_733_011_199.9] {
            let date = Date(timeIntervalSince1970: t)
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "Asia/Shanghai")
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            #expect(LocalTime.format(date, zone: "Asia/Shanghai") == f.string(from: date))
        }
        #expect(LocalTime.format(Date(timeIntervalSince1970: 0), zone: "No/Such_Zone") == "1970-01-01 00:00:00")
        #expect(LocalTime.format(Date(timeIntervalSince1970: 1_800_000_000), in: TimeZone(identifier: "Asia/Shanghai")!, seconds: false)
                == "2027-01-15 16:00")
    }
}
