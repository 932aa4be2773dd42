import CDispatch
import Foundation
import Testing

/// The daemon's state and run directories are private to its user and group whatever the umask
/// it is started with (issue 9, low).
@Suite("directory modes", .serialized, .timeLimit(.minutes(1)))
struct DirectoryModesTests {
    static func mode(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_mode & 0o7777) : -1
    }

    @Test("state_dir and the control socket's directory are created 0750, the socket is 0660", arguments: ["000", "077", "022"])
    func modes(umask: String) async throws {
        let site = try BigSite(name: "modes", devices: 1, zonesPerDevice: 1)
        let state = site.dir.appendingPathComponent("state/watchroom").path
        let run = site.dir.appendingPathComponent("run/watchroom").path
        let yaml = try String(contentsOfFile: site.config, encoding: .utf8)
            .replacingOccurrences(of: "state_dir: \(site.dir.path)", with: "state_dir: \(state)")
            .replacingOccurrences(of: "control: {socket: \(site.dir.path)/control.sock}", with: "control: {socket: \(run)/control.sock}")
        try yaml.write(toFile: site.config, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess("/bin/bash", ["-c", "umask \(umask) && exec \"$0\" \"$@\"", Paths.watchroomd, "run", "--config", site.config])
        defer { daemon.stopInBackground() }
        #expect(await daemon.waitForLine { $0.contains("control API on") } != nil, "\(daemon.output)")
        for dir in [state, run, site.dir.appendingPathComponent("state").path, site.dir.appendingPathComponent("run").path] {
            #expect(Self.mode(dir) == 0o750, "\(dir): \(String(Self.mode(dir), radix: 8)) with umask \(umask)")
        }
        #expect(Self.mode("\(run)/control.sock") == 0o660)
    }
}
