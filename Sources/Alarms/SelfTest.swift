public import Foundation
import SiteConfig

/// One zone's self-test, step by step.
public struct ZoneTest: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable { case active, walk }
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Active: the test relay is open, waiting for the zone to report alarm.
        case awaitingAlarm = "awaiting-alarm"
        /// Active: the relay is released, waiting for the zone to restore.
        case awaitingRestore = "awaiting-restore"
        /// Walk: waiting for staff to trip the zone by hand, then for it to restore.
        case awaitingTrip = "awaiting-trip"
        case awaitingWalkRestore = "awaiting-walk-restore"
        case passed, failed
    }
    public var zone: String
    public var mode: Mode
    public var phase: Phase
    public var deadline: Date
    public var reason: String?
    public var finished: Bool { phase == .passed || phase == .failed }
}

/// A self-test run over some or all zones (site rule 3: every perimeter zone at 19:00).
public struct SelfTestRun: Sendable, Hashable, Codable {
    public var id: Int
    public var startedAt: Date
    public var startedBy: String
    /// True when the run covers every perimeter zone (only such a run resets the 26-hour check).
    public var complete: Bool
    public var zones: [String: ZoneTest]
    public var finishedAt: Date?

    public var passed: [String] { zones.values.filter { $0.phase == .passed }.map(\.zone).sorted() }
    public var failed: [String] { zones.values.filter { $0.phase == .failed }.map(\.zone).sorted() }
}

/// Self-test timing, from the site config's `self_test` keys.
public struct SelfTestSettings: Sendable, Hashable {
    /// How long an active test waits for alarm after opening the loop, and for the restore.
    public var timeout: TimeInterval = 10
    /// How long staff have to walk-test zones without a test output.
    public var walkWindow: TimeInterval = 30 * 60
    /// Raise "self-test missed" when no complete run was recorded for this long.
    public var missedAfter: TimeInterval = 26 * 3600
    public init() {}
}
