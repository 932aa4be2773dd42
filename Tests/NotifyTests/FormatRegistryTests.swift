import Foundation
import Notify
import SiteConfig
import Testing

/// Loads `notify` (the `notify:` section) in the test site with `registry`, as the daemon loads a
/// config: the config, or the diagnostics that refused it. The section starts on the returned line.
func loadWithRegistry(notify: String, registry: NotifierRegistry = .standard) throws -> (config: SiteConfig?, diagnostics: [Diagnostic], notifyLine: Int, file: String) {
    let dir = try makeTempDir("registry")
    defer { try? FileManager.default.removeItem(at: dir) }
    let secret = try secretFile("SEC123", named: "s", in: dir)
    let yaml = siteYAML(notify: notify.replacingOccurrences(of: "SECRET_FILE", with: secret), stateDir: dir.path)
    let file = dir.appendingPathComponent("site.yaml").path
    try yaml.write(toFile: file, atomically: true, encoding: .utf8)
    let line = yaml.components(separatedBy: "\n").firstIndex { $0.hasPrefix("notify:") }! + 1
    do {
        return (try SiteConfigLoader(notifyFormats: registry).load(file: file), [], line, file)
    } catch {
        return (nil, error.diagnostics, line, file)
    }
}

@Suite("The notifier registry and the config")
struct FormatRegistryTests {
    @Test("every format the registry has is one the config accepts, and no other")
    func registryAndConfigAgree() throws {
        #expect(NotifierRegistry.standard.formatNames == ["standard", "alertmanager", "wecom", "dingtalk", "feishu"])
        #expect(WebhookFormats.names == ["alertmanager", "dingtalk", "feishu", "standard", "wecom"])
        for name in NotifierRegistry.standard.formatNames {
            let (config, d, _, _) = try loadWithRegistry(notify: """
                notify:
                  - {id: t, format: \(name), url: "https://example.invalid/hook", secret_file: SECRET_FILE}
                """)
            #expect(d.isEmpty, "\(name): \(d.map(\.description))")
            #expect(config?.notify.first?.format == name)
            #expect(NotifierRegistry.standard.notifier(named: name)?.name == name)
            #expect(WebhookFormats.format(named: name)?.name == name)
        }
        #expect(NotifierRegistry.standard.notifier(named: "slack") == nil, "an unknown name never falls back to another format")
        #expect(WebhookFormats.format(named: "slack") == nil)
    }

    @Test("an unknown format is refused at its file:line:col, naming the known ones")
    func unknownFormatLocated() throws {
        let (config, d, line, file) = try loadWithRegistry(notify: """
            notify:
              - {id: chat, format: slack, url: "https://example.invalid/hook"}
            """)
        #expect(config == nil)
        let format = try #require(d.first { $0.message.contains("unknown format") }, "\(d.map(\.description))")
        #expect(format.file == file)
        #expect(format.line == line + 1)
        #expect(format.column == 24)
        #expect(format.message == "notify target 'chat' has unknown format 'slack'; use one of standard, alertmanager, wecom, dingtalk, feishu")
        #expect(d.count == 1, "only the format is wrong: \(d.map(\.description))")
    }

    @Test("a format refuses what it cannot send with: an unsigned DingTalk or Feishu bot, a webhook without its url")
    func formatRulesInTheConfig() throws {
        let (_, unsigned, line, _) = try loadWithRegistry(notify: """
            notify:
              - {id: ding, format: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=abc"}
              - {id: fs, format: feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/x"}
              - {id: wc, format: wecom}
            """)
        #expect(unsigned.map(\.message).sorted() == [
            "notify target 'ding': dingtalk bots are signed; give the signing secret with secret_file or secret_env",
            "notify target 'fs': feishu bots are signed; give the signing secret with secret_file or secret_env",
            "notify target 'wc' is missing required key 'url'",
        ])
        #expect(unsigned.map(\.line).sorted() == [line + 1, line + 2, line + 3], "each at its own target")
    }

    @Test("a key no format of the target reads is an unknown key, with the target's keys listed as before")
    func unknownKeyListsTheFormatsKeys() throws {
        let (_, d, _, _) = try loadWithRegistry(notify: """
            notify:
              - {id: wc, format: wecom, url: "https://example.invalid/hook", mentions: all}
            """)
        #expect(d.map(\.message) == [
            "unknown key 'mentions' in notify target; known keys: id, format, url, min_priority, secret_file, secret_env, "
                + "group_window_s, rate_per_minute, timeout_s, retry_max_s, late_after_s",
        ])
    }

    @Test("each format paces itself: chat bots grouped and rate limited, Feishu at its own rate, webhooks unpaced")
    func pacingFromTheFormat() throws {
        let (config, d, _, _) = try loadWithRegistry(notify: """
            notify:
              - {id: std, format: standard, url: "https://example.invalid/a"}
              - {id: wc, format: wecom, url: "https://example.invalid/b"}
              - {id: fs, format: feishu, url: "https://example.invalid/c", secret_file: SECRET_FILE}
              - {id: wc2, format: wecom, url: "https://example.invalid/d", rate_per_minute: 5, group_window_s: 0}
            """)
        #expect(d.isEmpty, "\(d.map(\.description))")
        let targets = try #require(config?.notify)
        let policies = targets.map { t in
            DeliveryPolicy.defaults(for: t, pacing: NotifierRegistry.standard.notifier(named: t.format)!.pacing)
        }
        #expect(policies.map(\.ratePerMinute) == [0, 20, 100, 5])
        #expect(policies.map(\.groupWindow) == [.zero, .seconds(1), .seconds(1), .zero])
    }
}
