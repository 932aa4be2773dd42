import Alarms
import Polling
import SiteConfig

/// What the status route reads of the point sources: each bus with its counters.
protocol BusStatsSource: Sendable {
    func busStats() -> [(Bus, BusStats)]
}

/// Where a committed command's panel writes go: to the worker that owns the device's bus.
protocol PointWriteQueue: Sendable {
    func enqueue(_ write: PointWrite)
}

extension Monitor: BusStatsSource, PointWriteQueue {}
