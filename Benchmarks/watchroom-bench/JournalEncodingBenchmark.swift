import Alarms
import Foundation
import Journal
import SiteConfig

/// What a 5,000-zone storm's commit spends on JSON before SQLite sees a row: each raised event's
/// body and each alarm's row, by JSONEncoder (as the journal wrote them before) and by JournalJSON.
func journalEncodingCost(rounds: Int = 5) throws {
    section("Journal JSON: encode 5,000 alarm events (event bodies + alarm rows), JSONEncoder vs JournalJSON")
    let config = try syntheticSite(devices: 80, zonesPerDevice: 64)  // 5,120 zones, whole buses of 20
    var engine = AlarmEngine(config: config, now: Date())
    let changes = config.zones.prefix(5_000).map { StateChange.zone($0, from: .normal, to: .alarm, value: "1") }
    let events = engine.apply(Array(changes), at: Date()).events
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .secondsSince1970
    encoder.outputFormatting = [.sortedKeys]
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    let clock = ContinuousClock()
    var old: [Double] = [], new: [Double] = []
    var bytes = (old: 0, new: 0)
    for _ in 0..<rounds {
        var start = clock.now
        // As commit did: every event's body (raised events carry no notes), then every alarm's row.
        var n = 0
        for e in events { n += String(decoding: try encoder.encode(e), as: UTF8.self).utf8.count }
        for e in events { if let a = e.alarm { n += String(decoding: try encoder.encode(a), as: UTF8.self).utf8.count } }
        old.append(seconds(clock.now - start))
        bytes.old = n
        start = clock.now
        let step = try JournalJSON.StepBodies(events)
        new.append(seconds(clock.now - start))
        bytes.new = step.events.reduce(0) { $0 + $1.utf8.count } + step.alarms.reduce(0) { $0 + $1.body.utf8.count }
    }
    let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
    let ms = { (xs: [Double]) in xs.map { String(format: "%.1f", $0 * 1000) }.joined(separator: ", ") }
    print("\(events.count) events, \(rounds) rounds alternating; bytes written: JSONEncoder \(bytes.old), JournalJSON \(bytes.new)")
    print("JSONEncoder: \(ms(old)) ms; median \(String(format: "%.1f", median(old) * 1000)) ms = \(String(format: "%.1f", median(old) / Double(events.count) * 1e6)) µs per event")
    print("JournalJSON: \(ms(new)) ms; median \(String(format: "%.1f", median(new) * 1000)) ms = \(String(format: "%.1f", median(new) / Double(events.count) * 1e6)) µs per event")
    print("ratio JSONEncoder/JournalJSON (medians): \(String(format: "%.1f", median(old) / median(new)))x")
}
