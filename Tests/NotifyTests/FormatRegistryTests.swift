import Foundation
import Notify
import SiteConfig
import Testing

struct FormatRegistryTests {
    private func load(format: String) throws -> SiteConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-formats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("devices").path
        let secret = dir.appendingPathComponent("s").path
        try "SEC123".write(toFile: secret, atomically: true, encoding: .utf8)
        let yaml = """
            site: {name: 测试, timezone: Asia/Shanghai}
            state_dir: \(dir.path)
            profiles: [\(devices)]
            buses:
              - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
            devices:
              - {id: di-1, bus: lan, unit: 1, profile: generic-di-16}
            zones:
              - {id: Z01, name: 北围墙, type: perimeter, input: "di-1.di[0]"}
            shifts:
              - {name: day, start: "08:00", end: "20:00", leader: {name: 张伟, mobile: "13800000001"}}
              - {name: night, start: "20:00", end: "08:00", leader: {name: 李强, mobile: "13800000002"}}
            notify:
              - {id: t, format: \(format), url: "https://example.invalid/hook", secret_file: \(secret)}
            """
        let file = dir.appendingPathComponent("site.yaml").path
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return try SiteConfigLoader().load(file: file)
    }

    @Test("every format the delivery service has is one the config accepts, and no other")
    func registryAndConfigAgree() throws {
        #expect(WebhookFormats.names == ["alertmanager", "dingtalk", "feishu", "standard", "wecom"])
        for name in WebhookFormats.names {
            #expect(try load(format: name).notify.first?.format == name)
            #expect(WebhookFormats.format(named: name) != nil)
        }
        #expect(WebhookFormats.format(named: "slack") == nil, "an unknown name never falls back to another format")
        #expect(throws: ConfigError.self) { try load(format: "slack") }
    }
}
