import Foundation
import Testing

/// `watchroomd hash-password`, and check-config's word on trust mode.
struct HashPasswordCLITests {
    @Test("hash-password reads the password on stdin and prints a bcrypt hash that Python's bcrypt accepts")
    func hashVerifiesInPython() async throws {
        let dir = try Paths.tempDir("hash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await runToExit("/bin/sh", ["-c", "printf '%s\\n' '值班 pass 1' | \(Paths.watchroomd) hash-password --cost 4"])
        #expect(r.status == 0, "\(r.err)")
        let hash = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hash.hasPrefix("$2b$04$") && hash.utf8.count == 60, "\(hash)")
        let file = dir.appendingPathComponent("hash").path
        try hash.write(toFile: file, atomically: true, encoding: .utf8)
        let script = "import bcrypt,sys; print(bcrypt.checkpw(sys.argv[1].encode(), open(sys.argv[2],'rb').read()))"
        #expect(try await runToExit("/usr/bin/python3", ["-c", script, "值班 pass 1", file]).out.contains("True"))
        #expect(try await runToExit("/usr/bin/python3", ["-c", script, "值班 pass 2", file]).out.contains("False"))
        let empty = try await runToExit("/bin/sh", ["-c", "printf '' | \(Paths.watchroomd) hash-password --cost 4"])
        #expect(empty.status == 2 && empty.err.contains("no password on stdin"), "\(empty)")
    }

    @Test("check-config warns a site without users: that anyone with socket access can approve playback")
    func trustModeWarned() async throws {
        let dir = try Paths.tempDir("trust")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("site.yaml").path
        try """
        site: {name: Test, timezone: UTC}
        state_dir: \(dir.path)
        profiles: [\(Paths.devices)]
        buses:
          - {id: lan, tcp: {host: 127.0.0.1, port: 1502}}
        devices:
          - {id: d1, bus: lan, unit: 1, profile: generic-di-16}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        var r = try await runToExit(Paths.watchroomd, ["check-config", file])
        #expect(r.status == 0 && r.err.contains("warning: no users: section") && r.err.contains("can approve playback"), "\(r.err)")
        try (try String(contentsOfFile: file, encoding: .utf8) + "\nusers:\n  - {login: zhao, name: 赵主任, roles: [director], unix: zhao}\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        r = try await runToExit(Paths.watchroomd, ["check-config", file])
        #expect(r.status == 0 && !r.err.contains("no users"), "\(r.err)")
    }
}
