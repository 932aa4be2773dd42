/// A reference to one element of a device point, written `DEVICE.POINT` or `DEVICE.POINT[INDEX]`.
public struct PointRef: Sendable, Hashable, CustomStringConvertible {
    public var device: String
    public var point: String
    public var index: Int

    public init(device: String, point: String, index: Int = 0) {
        self.device = device
        self.point = point
        self.index = index
    }

    /// Parses `di-1.di[3]`; nil when the text has another shape.
    public init?(parsing text: String) {
        guard let dot = text.firstIndex(of: ".") else { return nil }
        let device = String(text[..<dot])
        var rest = String(text[text.index(after: dot)...])
        var index = 0
        if let open = rest.firstIndex(of: "["), rest.hasSuffix("]") {
            guard let i = Int(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]), i >= 0 else { return nil }
            index = i
            rest = String(rest[..<open])
        }
        guard !device.isEmpty, !rest.isEmpty, SiteConfig.isValidID(device),
              rest.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else { return nil }
        self.init(device: device, point: rest, index: index)
    }

    public var description: String { "\(device).\(point)[\(index)]" }
}

/// Alarm priority, most urgent first (ISA-18.2 practice: a few priorities, most alarms low or medium).
public enum Priority: String, Sendable, Hashable, CaseIterable, Comparable {
    case critical, high, medium, low, info

    public var rank: Int { Priority.allCases.firstIndex(of: self)! }
    public static func < (a: Priority, b: Priority) -> Bool { a.rank > b.rank }
}

/// Intrusion-panel zone types (EN 50131 practice).
public enum ZoneType: String, Sendable, Hashable, CaseIterable {
    case perimeter
    case entryExit = "entry_exit"
    case twentyFourHour = "24h"
    case tamper, fire, panic

    /// Perimeter and entry/exit zones alarm only when armed; the rest always alarm.
    public var needsArming: Bool { self == .perimeter || self == .entryExit }

    public var defaultPriority: Priority {
        switch self {
        case .fire, .panic: .critical
        case .perimeter, .entryExit, .twentyFourHour, .tamper: .high
        }
    }
}

/// A bus: one link to a set of devices, read by one point source.
public struct Bus: Sendable, Hashable {
    public var id: String
    /// How the bus's points are read (the protocol's part of the config; see ModbusSection.swift).
    public var source: BusSource
    public var pollInterval: Duration
    public var timeout: Duration
    /// Consecutive failed polls before a device is reported comm-lost.
    public var commLossAfter: Int
    /// Largest run of unused addresses read through when merging requests.
    public var gapFill: Int
    /// Cap of the exponential retry backoff of a failing device or link.
    public var reconnectMax: Duration

    public init(id: String, source: BusSource, pollInterval: Duration, timeout: Duration,
                commLossAfter: Int = 3, gapFill: Int = 8, reconnectMax: Duration = .seconds(10)) {
        self.id = id
        self.source = source
        self.pollInterval = pollInterval
        self.timeout = timeout
        self.commLossAfter = commLossAfter
        self.gapFill = gapFill
        self.reconnectMax = reconnectMax
    }
}

public struct Device: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var bus: String
    public var unit: Int
    public var profile: DeviceProfile
    /// Per-device request caps for devices that reject long reads.
    public var maxRegistersPerRequest: Int
    public var maxBitsPerRequest: Int

    public init(id: String, name: String? = nil, bus: String, unit: Int, profile: DeviceProfile,
                maxRegistersPerRequest: Int = 125, maxBitsPerRequest: Int = 2000) {
        self.id = id
        self.name = name
        self.bus = bus
        self.unit = unit
        self.profile = profile
        self.maxRegistersPerRequest = maxRegistersPerRequest
        self.maxBitsPerRequest = maxBitsPerRequest
    }
}

/// What value of an input means "in alarm".
public enum AlarmValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case number(Double)
    case label(String)

    public var description: String {
        switch self {
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .label(let l): l
        }
    }
}

public struct Zone: Sendable, Hashable {
    public var id: String
    public var name: String
    public var type: ZoneType
    public var input: PointRef
    /// An output that opens the zone's loop, for the active self-test.
    public var test: PointRef?
    public var cameras: [String]
    public var area: String?
    /// For a bool input: the contact value that means alarm.
    public var alarmWhen: Bool
    public var priority: Priority
}

public struct Sensor: Sendable, Hashable {
    public var id: String
    public var name: String
    public var input: PointRef
    public var low: Double?
    public var high: Double?
    public var deadband: Double
    public var delay: Duration
}

public struct Equipment: Sendable, Hashable {
    public var id: String
    public var name: String
    public var input: PointRef
    public var alarmWhen: AlarmValue
    public var priority: Priority
}

public struct Recorder: Sendable, Hashable {
    public var id: String
    public var name: String
    public var cameras: [String]
    public var retentionDays: Int
    public var media: Int?
    public var status: [String: PointRef]
    public var storagePath: String?
    /// Delete footage older than the rule (oldest first, never held or younger footage).
    public var prune: Bool = false
    /// The length of one footage file: a file written at T holds [T - segment, T].
    public var segmentSeconds: Int = 600
    /// Newest footage older than this means recording stopped.
    public var recordingGapMinutes: Int = 15
    /// Free space below this share of the disk is "nearly full".
    public var minFreePercent: Double = 5

    public init(id: String, name: String, cameras: [String], retentionDays: Int, media: Int?, status: [String: PointRef],
                storagePath: String?) {
        self.id = id
        self.name = name
        self.cameras = cameras
        self.retentionDays = retentionDays
        self.media = media
        self.status = status
        self.storagePath = storagePath
    }
}

/// Retention holds, playback approval and visitor approval (site rules 8 and 9).
public struct DutySettings: Sendable, Hashable {
    /// Who may approve a playback request (the management office director).
    public var playbackApprovers: [String] = []
    /// Who may approve an outsider's entry; empty: any named approver.
    public var visitorApprovers: [String] = []
    /// A zone alarm holds its cameras' footage from `holdBefore` before to `holdAfter` after it...
    public var holdBeforeSeconds: Int = 300
    public var holdAfterSeconds: Int = 900
    /// ...for this many days (from the alarm, or from its reset when that is later).
    public var holdDays: Int = 90
    /// How often file-based recorders are checked.
    public var retentionCheckSeconds: Int = 300
    public init() {}
}

public struct Person: Sendable, Hashable, Codable {
    public var name: String
    public var mobile: String?
    public var chatID: String?
}

public struct Shift: Sendable, Hashable {
    public var name: String
    /// Minutes after midnight, site time; `end` may be 1440 (24:00) and is before `start` for an overnight shift.
    public var start: Int
    public var end: Int
    public var leader: Person
}

public struct NotifyTarget: Sendable, Hashable {
    public var id: String
    public var format: String
    public var url: String
    public var minPriority: Priority
    public var secretFile: String?
    public var secretEnv: String?
    /// Pacing overrides (defaults depend on the format; see DeliveryPolicy).
    public var groupWindowSeconds: Double?
    public var ratePerMinute: Int?
    public var timeoutSeconds: Int?
    public var retryMaxSeconds: Int?
    /// A message still not delivered this long after its first attempt raises the delivery-failure alarm (default 60).
    public var lateAfterSeconds: Int? = nil
}

public struct Area: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Scheduled arming, minutes after midnight site time ("19:00" to "07:00" crosses midnight).
    public var armAt: Int?
    public var disarmAt: Int?
}
