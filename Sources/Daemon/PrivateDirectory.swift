import CDispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Creates the daemon's own directories (state_dir, the control socket's directory) with a fixed
/// mode whatever the umask it was started with: 000 would leave the journal's directory writable
/// by anyone, 077 would lock the operators' group out of the control socket.
enum PrivateDirectory {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `path` and every missing parent with `mode` (set with chmod, so the umask does not
    /// narrow or widen it); directories that exist already are left as they are.
    static func create(_ path: String, mode: mode_t = 0o750) throws(Failure) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var current = ""
        for component in absolute.split(separator: "/") where !component.isEmpty {
            current += "/" + component
            var st = stat()
            if stat(current, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else { throw Failure(description: "\(current) exists and is not a directory") }
                continue
            }
            guard mkdir(current, mode) == 0 || errno == EEXIST else {
                throw Failure(description: "cannot create \(current): \(String(cString: strerror(errno)))")
            }
            guard chmod(current, mode) == 0 else {
                throw Failure(description: "cannot set mode \(String(mode, radix: 8)) on \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}
