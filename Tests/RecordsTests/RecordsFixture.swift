import Foundation
import Records
import SiteConfig
import Testing
#if canImport(Glibc)
import Glibc
#endif

let day: TimeInterval = 86400
/// A fixed "now" for every test: the clock is injected.
let testNow = Date(timeIntervalSince1970: 1_800_000_000)

func tempDir(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("watchroom-records-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A recorder folder with one footage file per camera every `every` seconds from `oldest` to `newest` ago.
struct FootageFolder {
    let root: URL
    init(_ label: String) throws { root = try tempDir(label) }

    /// Writes a file of `bytes` for `camera` whose modification time is `age` before `testNow`.
    @discardableResult
    func write(camera: String, age: TimeInterval, bytes: Int = 1000) throws -> String {
        let t = testNow.addingTimeInterval(-age)
        let dayFolder = root.appendingPathComponent(camera).appendingPathComponent(Self.dayName(t))
        try FileManager.default.createDirectory(at: dayFolder, withIntermediateDirectories: true)
        let path = dayFolder.appendingPathComponent("\(Int(t.timeIntervalSince1970)).mp4").path
        try Data(count: bytes).write(to: URL(fileURLWithPath: path))
        var times = [timespec(tv_sec: Int(t.timeIntervalSince1970), tv_nsec: 0), timespec(tv_sec: Int(t.timeIntervalSince1970), tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        return path
    }

    /// Hourly files for `camera` from `fromDays` to `toDays` ago.
    func fill(camera: String, fromDays: Double, toDays: Double, every: TimeInterval = 3600, bytes: Int = 1000) throws {
        var age = fromDays * day
        while age >= toDays * day {
            try write(camera: camera, age: age, bytes: bytes)
            age -= every
        }
    }

    static func dayName(_ d: Date) -> String {
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: d)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// A fixed disk, so "nearly full" can be tested without filling one.
struct FixedDisk: DiskSpaceProvider {
    let total: Int64
    let free: Int64
    func space(at path: String) throws -> DiskSpace { DiskSpace(total: total, free: free) }
}

func recorder(path: String? = nil, days: Int = 14, prune: Bool = false, media: Int? = nil, segment: Int = 3600,
              minFree: Double = 5) -> Recorder {
    Recorder(id: "NVR-1", name: "1号录像机", cameras: ["C01", "C02", "C03"], retentionDays: days, media: media,
             status: [:], storagePath: path, prune: prune, segmentSeconds: segment, minFreePercent: minFree)
}

func hold(camera: String = "C03", from: Date, to: Date, until: Date, alarm: Int = 7) -> RetentionHold {
    RetentionHold(id: Int64(alarm), recorder: "NVR-1", camera: camera, from: from, to: to, until: until,
                  reason: "alarm #\(alarm) Z01 北围墙东段 alarm", alarmId: alarm, createdAt: from)
}
