import Foundation
import Testing

/// The example alert rules in docs/OPERATIONS.md, as Prometheus reads them (Debian's promtool).
@Suite("alert rules of docs/OPERATIONS.md", .timeLimit(.minutes(1)))
struct AlertRulesDocTests {
    /// The YAML between the doc's `alert-rules` markers.
    static func rules() throws -> String {
        let doc = try String(contentsOf: Paths.root.appendingPathComponent("docs/OPERATIONS.md"), encoding: .utf8)
        guard let begin = doc.range(of: "<!-- alert-rules:begin -->"), let end = doc.range(of: "<!-- alert-rules:end -->") else {
            throw MetricsScraper.Failure(text: "docs/OPERATIONS.md has no alert-rules markers")
        }
        return doc[begin.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("```") }.joined(separator: "\n")
    }

    /// What the rules must do, in promtool's unit-test format: each alert fires when it should, not before.
    static let ruleTests = """
    rule_files: [rules.yml]
    evaluation_interval: 1m
    tests:
      - interval: 1m
        input_series:
          - {series: 'watchroom_device_up{device="di-2",bus="lan"}', values: '1 1 0 0 0 0 0 0'}
          - {series: 'watchroom_device_up{device="di-1",bus="lan"}', values: '1x7'}
          - {series: 'watchroom_notification_oldest_pending_age_seconds{target="leader"}', values: '0 60 700 760 820 880'}
          - {series: 'watchroom_notification_oldest_pending_age_seconds{target="desk"}', values: '0x5'}
          - {series: 'watchroom_journal_stalled', values: '0 0 1 1 1 1'}
        alert_rule_test:
          - {eval_time: 3m, alertname: WatchroomDeviceDown, exp_alerts: []}
          - eval_time: 5m
            alertname: WatchroomDeviceDown
            exp_alerts:
              - exp_labels: {severity: critical, device: di-2, bus: lan}
                exp_annotations: {summary: "device di-2 on bus lan does not answer"}
          - eval_time: 4m
            alertname: WatchroomNotificationStuck
            exp_alerts:
              - exp_labels: {severity: critical, target: leader}
                exp_annotations: {summary: "notifications to leader have waited more than 10 minutes"}
          - {eval_time: 2m, alertname: WatchroomJournalStalled, exp_alerts: []}
          - eval_time: 4m
            alertname: WatchroomJournalStalled
            exp_alerts:
              - exp_labels: {severity: critical}
                exp_annotations: {summary: "the journal cannot be written: alarms are held in memory, operator commands refused"}
      # Two days in (00:00 UTC = 08:00 in UTC+8), "yesterday 19:05" local is day 1, 11:05 UTC = 126300 s.
      - interval: 1m
        input_series:
          - {series: 'watchroom_self_test_last_complete_timestamp_seconds{site="never"}', values: '0x2900'}
          - {series: 'watchroom_self_test_last_complete_timestamp_seconds{site="at-1905"}', values: '126300x2900'}
          - {series: 'watchroom_self_test_last_complete_timestamp_seconds{site="a-second-early"}', values: '126299x2900'}
        alert_rule_test:
          - eval_time: 2880m
            alertname: WatchroomNoSelfTestSinceYesterdayEvening
            exp_alerts:
              - exp_labels: {severity: warning, site: never}
                exp_annotations: {summary: "no complete zone self-test since yesterday 19:05"}
              - exp_labels: {severity: warning, site: a-second-early}
                exp_annotations: {summary: "no complete zone self-test since yesterday 19:05"}
    """

    @Test("the example rules load in promtool, and each fires when it should and not before")
    func rulesCheckAndTest() async throws {
        let dir = try Paths.tempDir("rules")
        try Self.rules().write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        try Self.ruleTests.write(to: dir.appendingPathComponent("tests.yml"), atomically: true, encoding: .utf8)
        let check = try await runToExit("/usr/bin/promtool", ["check", "rules", "rules.yml"], currentDirectory: dir, deadline: .seconds(120))
        #expect(check.status == 0, "promtool check rules: \(check.out) \(check.err)")
        #expect(check.out.contains("SUCCESS: 7 rules found"), "\(check.out)")
        let test = try await runToExit("/usr/bin/promtool", ["test", "rules", "tests.yml"], currentDirectory: dir, deadline: .seconds(120))
        #expect(test.status == 0, "promtool test rules: \(test.out) \(test.err)")
    }
}
