@testable import Daemon
import Foundation
import Testing

@Suite("control connection limits")
struct ControlLimitsTests {
    @Test("the cap stays well below the descriptor limit, and never above what select() can watch")
    func capFromDescriptors() {
        #expect(ControlLimits.from(environment: [:], descriptorLimit: 1024).maxConnections == 256)
        #expect(ControlLimits.from(environment: [:], descriptorLimit: 256).maxConnections == 64)
        #expect(ControlLimits.from(environment: [:], descriptorLimit: 65536).maxConnections == 256)
        #expect(ControlLimits.from(environment: ["WATCHROOM_CONTROL_MAX_CONNECTIONS": "5000"], descriptorLimit: 65536).maxConnections == 448)
        #expect(ControlLimits.from(environment: [:], descriptorLimit: 20).maxConnections == 4)
        #expect(ControlLimits.from(environment: [:], descriptorLimit: 1024).idleTimeout == .seconds(10))
        #expect(ControlLimits.from(environment: ["WATCHROOM_CONTROL_IDLE_TIMEOUT_S": "0.5"], descriptorLimit: 1024).idleTimeout == .milliseconds(500))
        for bad in ["nan", "-1", "0", "inf", "x"] {
            #expect(ControlLimits.from(environment: ["WATCHROOM_CONTROL_IDLE_TIMEOUT_S": bad], descriptorLimit: 1024).idleTimeout == .seconds(10))
        }
    }

    @Test("the unit's LimitNOFILE leaves the full cap and stays within FD_SETSIZE")
    func unitLimit() throws {
        let unit = try String(contentsOf: Paths.root.appendingPathComponent("systemd/watchroomd.service"), encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("LimitNOFILE=") })
        let limit = try #require(Int(line.dropFirst("LimitNOFILE=".count)))
        #expect(limit <= Int(FD_SETSIZE))
        #expect(ControlLimits.from(environment: [:], descriptorLimit: limit).maxConnections == ControlLimits.defaultMaxConnections)
    }

    @Test("at the cap the oldest idle connection makes room; when all are busy the new one is refused; one episode")
    func table() {
        final class Token {}
        let tokens = (0..<5).map { _ in Token() }
        let ids = tokens.map(ObjectIdentifier.init)
        var t = ConnectionTable(limit: 3)
        #expect(t.open(ids[0]) == (.admit, false))
        #expect(t.open(ids[1]) == (.admit, false))
        #expect(t.open(ids[2]) == (.admit, false))
        t.setBusy(ids[0], true)
        // ids[1] is the oldest idle one: evicted; the episode starts once.
        #expect(t.open(ids[3]) == (.admitEvicting(ids[1]), true))
        t.setBusy(ids[2], true)
        t.setBusy(ids[3], true)
        #expect(t.open(ids[4]) == (.refuse, false))
        #expect(t.entries.count == 3)
        #expect(t.close(ids[1]) == nil)  // the evicted one's close event
        #expect(t.close(ids[2]) == nil)
        #expect(t.close(ids[3]) == 2)  // back to half the cap: the episode ends with what was shed
        #expect(!t.overloaded)
    }
}
