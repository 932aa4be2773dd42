/// A reference to one element of a device point, written `DEVICE.POINT` or `DEVICE.POINT[INDEX]`.
public struct PointRef: Sendable, Hashable, CustomStringConvertible {
    public let device: String
    public let point: String
    public let index: Int

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
    public let id: String
    /// How the bus's points are read (the protocol's part of the config; see ModbusSection.swift).
    public let source: BusSource
    public let pollInterval: Duration
    public let timeout: Duration
    /// Consecutive failed polls before a device is reported comm-lost.
    public let commLossAfter: Int
    /// Largest run of unused addresses read through when merging requests.
    public let gapFill: Int
    /// Cap of the exponential retry backoff of a failing device or link.
    public let reconnectMax: Duration

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
    public let id: String
    public let name: String?
    public let bus: String
    public let unit: Int
    public let profile: DeviceProfile
    /// Per-device request caps for devices that reject long reads.
    public let maxRegistersPerRequest: Int
    public let maxBitsPerRequest: Int

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
    public let id: String
    public let name: String
    public let type: ZoneType
    public let input: PointRef
    /// An output that opens the zone's loop, for the active self-test.
    public let test: PointRef?
    public let cameras: [String]
    public let area: String?
    /// For a bool input: the contact value that means alarm.
    public let alarmWhen: Bool
    public let priority: Priority

    public init(id: String, name: String, type: ZoneType, input: PointRef, test: PointRef? = nil, cameras: [String] = [],
                area: String? = nil, alarmWhen: Bool = true, priority: Priority? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.input = input
        self.test = test
        self.cameras = cameras
        self.area = area
        self.alarmWhen = alarmWhen
        self.priority = priority ?? type.defaultPriority
    }
}

public struct Sensor: Sendable, Hashable {
    public let id: String
    public let name: String
    public let input: PointRef
    public let low: Double?
    public let high: Double?
    public let deadband: Double
    public let delay: Duration
}

public struct Equipment: Sendable, Hashable {
    public let id: String
    public let name: String
    public let input: PointRef
    public let alarmWhen: AlarmValue
    public let priority: Priority
}

public struct Recorder: Sendable, Hashable {
    public let id: String
    public let name: String
    public let cameras: [String]
    public let retentionDays: Int
    public let media: Int?
    public let status: [String: PointRef]
    public let storagePath: String?
    /// Delete footage older than the rule (oldest first, never held or younger footage).
    public let prune: Bool
    /// The length of one footage file: a file written at T holds [T - segment, T].
    public let segmentSeconds: Int
    /// Newest footage older than this means recording stopped.
    public let recordingGapMinutes: Int
    /// Free space below this share of the disk is "nearly full".
    public let minFreePercent: Double

    public init(id: String, name: String, cameras: [String], retentionDays: Int, media: Int?, status: [String: PointRef],
                storagePath: String?, prune: Bool = false, segmentSeconds: Int = 600, recordingGapMinutes: Int = 15,
                minFreePercent: Double = 5) {
        self.id = id
        self.name = name
        self.cameras = cameras
        self.retentionDays = retentionDays
        self.media = media
        self.status = status
        self.storagePath = storagePath
        self.prune = prune
        self.segmentSeconds = segmentSeconds
        self.recordingGapMinutes = recordingGapMinutes
        self.minFreePercent = minFreePercent
    }

    /// The same recorder with pruning on or off (a check that must not prune, whatever the config says).
    public func with(prune: Bool) -> Recorder {
        Recorder(id: id, name: name, cameras: cameras, retentionDays: retentionDays, media: media, status: status,
                 storagePath: storagePath, prune: prune, segmentSeconds: segmentSeconds,
                 recordingGapMinutes: recordingGapMinutes, minFreePercent: minFreePercent)
    }
}

/// Retention holds, playback approval and visitor approval (site rules 8 and 9).
public struct DutySettings: Sendable, Hashable {
    /// Who may approve a playback request (the management office director).
    public internal(set) var playbackApprovers: [String] = []
    /// Who may approve an outsider's entry; empty: any named approver.
    public internal(set) var visitorApprovers: [String] = []
    /// A zone alarm holds its cameras' footage from `holdBefore` before to `holdAfter` after it...
    public internal(set) var holdBeforeSeconds: Int = 300
    public internal(set) var holdAfterSeconds: Int = 900
    /// ...for this many days (from the alarm, or from its reset when that is later).
    public internal(set) var holdDays: Int = 90
    /// How often file-based recorders are checked.
    public internal(set) var retentionCheckSeconds: Int = 300
    public init() {}
}

public struct Person: Sendable, Hashable, Codable {
    public let name: String
    public let mobile: String?
    public let chatID: String?
}

public struct Shift: Sendable, Hashable {
    public let name: String
    /// Minutes after midnight, site time; `end` may be 1440 (24:00) and is before `start` for an overnight shift.
    public let start: Int
    public let end: Int
    public let leader: Person
}

public struct NotifyTarget: Sendable, Hashable {
    public let id: String
    public let format: String
    /// Where an HTTP format posts; empty for a channel that has no URL.
    public let url: String
    public let minPriority: Priority
    public let secretFile: String?
    public let secretEnv: String?
    /// Pacing overrides (defaults depend on the format; see DeliveryPolicy).
    public let groupWindowSeconds: Double?
    public let ratePerMinute: Int?
    public let timeoutSeconds: Int?
    public let retryMaxSeconds: Int?
    /// A message still not delivered this long after its first attempt raises the delivery-failure alarm (default 60).
    public let lateAfterSeconds: Int?
    /// The format's own keys as written (`url`, `secret_file`, or a channel's keys), scalar text
    /// ("" for a list or map): what a format validates and reads.
    public let options: [String: String]

    public init(id: String, format: String, url: String, minPriority: Priority = .low, secretFile: String? = nil,
                secretEnv: String? = nil, groupWindowSeconds: Double? = nil, ratePerMinute: Int? = nil,
                timeoutSeconds: Int? = nil, retryMaxSeconds: Int? = nil, lateAfterSeconds: Int? = nil, options: [String: String] = [:]) {
        self.id = id
        self.format = format
        self.url = url
        self.minPriority = minPriority
        self.secretFile = secretFile
        self.secretEnv = secretEnv
        self.groupWindowSeconds = groupWindowSeconds
        self.ratePerMinute = ratePerMinute
        self.timeoutSeconds = timeoutSeconds
        self.retryMaxSeconds = retryMaxSeconds
        self.lateAfterSeconds = lateAfterSeconds
        self.options = options
    }
}

public struct Area: Sendable, Hashable {
    public let id: String
    public let name: String
    /// Scheduled arming, minutes after midnight site time ("19:00" to "07:00" crosses midnight).
    public let armAt: Int?
    public let disarmAt: Int?
}

/// `uplink: {mqtt: ...}`: where the site's journal is forwarded (a central MQTT broker).
public struct MQTTUplink: Sendable, Hashable {
    public let host: String
    public let port: Int
    public let clientID: String
    /// Topics are `PREFIX/status`, `PREFIX/events`, `PREFIX/alarms/ID`.
    public let topicPrefix: String
    /// 1 (confirmed, resumed from the cursor) or 0 (no confirmation: an outage may lose events).
    public let qos: Int
    public let keepaliveSeconds: Int
    public let username: String?
    public let passwordFile: String?
    /// TLS on, the broker verified against this CA file.
    public let caFile: String?

    public init(host: String, port: Int = 1883, clientID: String, topicPrefix: String, qos: Int = 1, keepaliveSeconds: Int = 30,
                username: String? = nil, passwordFile: String? = nil, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.topicPrefix = topicPrefix
        self.qos = qos
        self.keepaliveSeconds = keepaliveSeconds
        self.username = username
        self.passwordFile = passwordFile
        self.caFile = caFile
    }
}
