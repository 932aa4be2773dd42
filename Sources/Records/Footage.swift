public import Foundation
import Glibc

/// One footage file of a file-based recorder: written (last modified) at `time`, holding the
/// `segment` seconds before it.
public struct FootageSegment: Sendable, Hashable {
    public var path: String
    /// The camera, from a folder under the storage path named like one of the recorder's cameras.
    public var camera: String?
    public var time: Date
    public var bytes: Int64
    /// When the file's footage may begin: the previous file of the same camera ended then (a file
    /// longer than `segment_s` is covered whole). Nil for a camera's first file.
    public var previous: Date?
    public init(path: String, camera: String?, time: Date, bytes: Int64, previous: Date? = nil) {
        self.path = path
        self.camera = camera
        self.time = time
        self.bytes = bytes
        self.previous = previous
    }
}

public struct DiskSpace: Sendable, Hashable, Codable {
    public var total: Int64
    public var free: Int64
    public init(total: Int64, free: Int64) {
        self.total = total
        self.free = free
    }
    public var freePercent: Double { total > 0 ? Double(free) / Double(total) * 100 : 0 }
}

/// Where free space comes from: statvfs on a real disk, a fixed figure in tests.
public protocol DiskSpaceProvider: Sendable {
    func space(at path: String) throws -> DiskSpace
}

public struct StatvfsDiskSpace: DiskSpaceProvider {
    public init() {}
    public func space(at path: String) throws -> DiskSpace {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { throw FootageError.unreadable(path, String(cString: strerror(errno))) }
        let unit = Int64(s.f_frsize)
        return DiskSpace(total: Int64(s.f_blocks) * unit, free: Int64(s.f_bavail) * unit)
    }
}

public enum FootageError: Error, CustomStringConvertible {
    case unreadable(String, String)
    public var description: String {
        switch self {
        case .unreadable(let path, let why): "storage_path \(path) cannot be read: \(why)"
        }
    }
}

/// Lists a recorder's footage files (every regular file under its storage path), oldest first.
public enum FootageScanner {
    /// Video container and stream extensions recorders write; anything else under the storage path
    /// (an index, an export, a note) is not footage and is never pruned.
    public static let defaultExtensions: Set<String> = ["mp4", "mkv", "ts", "m2ts", "avi", "mov", "dav", "h264", "h265", "264", "265",
                                                        "ps", "mpg", "mpeg", "flv", "asf", "m4v", "webm"]

    public static func scan(_ root: String, cameras: [String], extensions: Set<String> = defaultExtensions) throws -> [FootageSegment] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw FootageError.unreadable(root, "no such folder")
        }
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw FootageError.unreadable(root, "cannot list it") }
        let known = Set(cameras)
        var out: [FootageSegment] = []
        while let rel = walker.nextObject() as? String {
            let path = root + "/" + rel
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            // Hidden files (a recorder's index, a partial write) are not footage.
            if rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            guard extensions.contains((rel as NSString).pathExtension.lowercased()) else { continue }
            let camera = rel.split(separator: "/").dropLast().map(String.init).first { known.contains($0) }
            let time = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) / 1e9)
            out.append(FootageSegment(path: path, camera: camera, time: time, bytes: Int64(st.st_size)))
        }
        out.sort { ($0.time, $0.path) < ($1.time, $1.path) }
        var last: [String: Date] = [:]
        for i in out.indices {
            let key = out[i].camera ?? ""
            out[i].previous = last[key]
            last[key] = out[i].time
        }
        return out
    }
}
