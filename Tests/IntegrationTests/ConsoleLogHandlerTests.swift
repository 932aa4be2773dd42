@testable import Daemon
import Alarms
import Foundation
import Logging
import Testing

@Suite("console log handler")
struct ConsoleLogHandlerTests {
    static let hostile = "ok\n2026-12-01 10:00:00.000 NOTE  ALL CLEAR\u{1B}[2J\r\u{08}\u{9B}"

    static func hasControl(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    @Test("a message or metadata with newlines and escapes stays one line with visible escapes", arguments: [false, true])
    func oneLine(journald: Bool) {
        let line = ConsoleLogHandler.line(level: .notice, message: "alarm 1 noted by 张三 \"\(Self.hostile)\"",
                                          metadata: ["user": .string("李四\nFORGED")], journald: journald, timestamp: "2026-12-01 10:00:00.000")
        #expect(!Self.hasControl(line), "\(line.debugDescription)")
        #expect(line.contains("\\n2026-12-01 10:00:00.000 NOTE  ALL CLEAR\\e[2J\\r\\u{8}\\u{9B}"), "\(line)")
        #expect(line.contains("user=李四\\nFORGED"))
        #expect(line.hasPrefix(journald ? "<5>alarm 1 noted by 张三" : "2026-12-01 10:00:00.000 NOTE  alarm 1 noted"))
    }

    @Test("event lines escape notes, users and zone names")
    func eventText() {
        let event = AlarmEvent(kind: .noted, time: Date(), zone: "Z1\u{1B}[2J", user: "王五\r", text: Self.hostile)
        let line = EventText.line(event, site: nil)
        #expect(!Self.hasControl(line), "\(line.debugDescription)")
        #expect(line.contains("王五\\r") && line.contains("Z1\\e[2J"))
    }
}
