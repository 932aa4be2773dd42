import Alarms
import Foundation
import Testing

struct SelfTestStatusTests {
    static func run(finished: Bool) throws -> SelfTestRun {
        let json = """
            {"id": 7, "startedAt": 100, "startedBy": "张三", "complete": true, \(finished ? "\"finishedAt\": 900," : "")
             "zones": {
               "Z01": {"zone": "Z01", "mode": "walk", "phase": "awaiting-trip", "deadline": 1900},
               "Z02": {"zone": "Z02", "mode": "walk", "phase": "awaiting-walk-restore", "deadline": 1900},
               "Z03": {"zone": "Z03", "mode": "walk", "phase": "passed", "deadline": 1900},
               "Z04": {"zone": "Z04", "mode": "active", "phase": "awaiting-alarm", "deadline": 110}}}
            """
        return try JSONDecoder().decode(SelfTestRun.self, from: Data(json.utf8))
    }

    @Test("status during a walk test names the zones to walk and until when; a finished run says nothing")
    func walkTestStatus() throws {
        let t = { (d: Date) in "T\(Int(d.timeIntervalSinceReferenceDate))" }
        let lines = try #require(try Self.run(finished: false).inProgressLines(time: t))
        #expect(lines == ["self-test run 7 in progress (started T100 by 张三): 1 passed, 0 failed, 3 to go",
                          "walk test: trip Z01 by hand before T1900; waiting for Z02 to restore",
                          "tested by relay: Z04"])
        #expect(try Self.run(finished: true).inProgressLines(time: t) == nil)
    }
}
